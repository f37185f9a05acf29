package dev.baton.control.watch;

import dev.baton.config.ConfigException;
import dev.baton.config.ConfigLoader;
import dev.baton.config.ServiceConfig;
import dev.baton.control.Snapshot;
import dev.baton.lifecycle.Component;
import dev.baton.registry.Registry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code discovery.files} source: every {@code *.yaml}, {@code *.yml} and
 * {@code *.json} file in a directory maps service ids to definitions in the
 * config's shape. Read in file-name order; the first file to define an id keeps
 * it. A file that fails to read or validate keeps its last good content, with its
 * errors logged as {@code file:line: key: message}, as Prometheus' file_sd keeps
 * the last good targets.
 */
public final class DiscoveryFiles implements Component<Snapshot> {
    private static final Logger log = LoggerFactory.getLogger(DiscoveryFiles.class);

    private final Path dir;
    private final ConfigLoader loader;
    private final Consumer<Map<String, Registry.Discovered>> apply;
    private final Map<Path, Map<String, ServiceConfig>> lastGood = new HashMap<>();
    private @Nullable FileWatcher watcher; // from start, unless the directory cannot be made

    public DiscoveryFiles(Path dir, ConfigLoader loader, Consumer<Map<String, Registry.Discovered>> apply) {
        this.dir = dir.toAbsolutePath().normalize();
        this.loader = loader;
        this.apply = apply;
    }

    static boolean isDiscoveryFile(Path p) {
        String name = p.getFileName().toString();
        return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
    }

    /** Reads the directory (creating it when missing) and starts watching it. */
    @Override
    public void start() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            log.error("discovery.files: cannot create {}: {}", dir, e.toString());
            return;
        }
        scan();
        watcher = FileWatcher.directory(dir, DiscoveryFiles::isDiscoveryFile, this::scan);
        watcher.start();
    }

    /** Re-reads every file and hands the services they define, together, to {@code apply}. */
    synchronized void scan() {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(DiscoveryFiles::isDiscoveryFile).sorted().toList();
        } catch (IOException e) {
            log.error("discovery.files: cannot list {}: {}", dir, e.toString());
            return;
        }
        lastGood.keySet().retainAll(files);
        Map<String, Registry.Discovered> all = new LinkedHashMap<>();
        for (Path f : files) {
            Map<String, ServiceConfig> services = read(f);
            for (ServiceConfig s : services.values()) {
                Registry.Discovered earlier = all.get(s.id());
                if (earlier != null) {
                    log.error(
                            "{}: service '{}' is already defined in {}; this definition is ignored",
                            f,
                            s.id(),
                            earlier.file());
                } else {
                    all.put(s.id(), new Registry.Discovered(s, f.getFileName().toString()));
                }
            }
        }
        try {
            apply.accept(all);
        } catch (RuntimeException e) {
            log.error("discovery.files: cannot apply {}: {}", dir, e.toString());
        }
    }

    private Map<String, ServiceConfig> read(Path f) {
        try {
            Map<String, ServiceConfig> services =
                    loader.parseServices(Files.readString(f, StandardCharsets.UTF_8), f.toString());
            lastGood.put(f, services);
            return services;
        } catch (ConfigException e) {
            log.error(
                    "discovery file rejected, keeping its last good content:\n{}",
                    String.join("\n", e.errors().stream().map(Object::toString).toList()));
        } catch (IOException e) {
            log.error("{}: cannot read ({}); keeping its last good content", f, e.toString());
        }
        return lastGood.getOrDefault(f, Map.of());
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
