package dev.baton.supervisor.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pid file per running program under {@code data-dir/run}, holding its pid, its
 * executable and arguments as the kernel reports them, and when it started. Written at launch and removed at exit,
 * so the files left at start-up are exactly the programs of a Baton that died
 * without stopping them. {@link #cleanUp} ends those, but only a process whose
 * executable and start time still match: a pid the system has since given to an
 * unrelated program is never signalled.
 */
public final class PidFiles {
    private static final Logger log = LoggerFactory.getLogger(PidFiles.class);

    private static final String ARG_SEPARATOR = "\u0000";

    private final Path dir;

    public PidFiles(Path dir) {
        this.dir = dir;
    }

    /** Records a launched program; returns its file for {@link #forget}. */
    Path record(String id, ProcessHandle handle, List<String> command) {
        Path file = dir.resolve(id + ".pid");
        Properties p = new Properties();
        p.setProperty("pid", Long.toString(handle.pid()));
        ProcessHandle.Info info = handle.info();
        info.command().ifPresent(c -> p.setProperty("executable", c));
        info.startInstant().ifPresent(t -> p.setProperty("started", t.toString()));
        info.arguments().ifPresent(a -> p.setProperty("arguments", String.join(ARG_SEPARATOR, a)));
        p.setProperty("command", String.join(" ", command));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp)) {
                p.store(w, "a program Baton launched; removed when it exits");
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.warn("cannot write {}: {}; a Baton killed now would leave pid {} running", file, e, handle.pid());
        }
        return file;
    }

    void forget(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", file, e.toString());
        }
    }

    /** A program a previous Baton left running. */
    record Leftover(Path file, ProcessHandle handle, String command) {}

    /**
     * Ends the programs a previous Baton left behind: SIGTERM to each and its
     * descendants, SIGKILL to what is left after {@code grace}. Removes every pid
     * file; returns how many programs were ended.
     */
    public int cleanUp(Duration grace) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> files;
        try (Stream<Path> all = Files.walk(dir)) {
            files = all.filter(f -> f.toString().endsWith(".pid")).toList();
        } catch (IOException e) {
            log.warn("cannot read {}: {}", dir, e.toString());
            return 0;
        }
        List<ProcessHandle> family = new ArrayList<>();
        int ended = 0;
        for (Path f : files) {
            Optional<Leftover> l = leftover(f);
            if (l.isPresent()) {
                ProcessHandle h = l.get().handle();
                log.warn(
                        "ending pid {} ({}) left running by a previous Baton: {}",
                        h.pid(),
                        dir.relativize(f),
                        l.get().command());
                h.descendants().forEach(family::add);
                family.add(h);
                ended++;
            }
            forget(f);
        }
        family.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline && family.stream().anyMatch(ProcessHandle::isAlive)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        family.stream().filter(ProcessHandle::isAlive).forEach(h -> {
            log.warn("pid {} did not end on SIGTERM within {} s; killing it", h.pid(), grace.toSeconds());
            h.destroyForcibly();
        });
        return ended;
    }

    /** The live process a pid file names, if it is still the program that was launched. */
    private Optional<Leftover> leftover(Path f) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f)) {
            p.load(r);
        } catch (IOException e) {
            log.warn("cannot read {}: {}", f, e.toString());
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(p.getProperty("pid", ""));
        } catch (NumberFormatException e) {
            log.warn("{} holds no pid; removed", f);
            return Optional.empty();
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (handle.isEmpty()) {
            return Optional.empty();
        }
        ProcessHandle.Info info = handle.get().info();
        String executable = p.getProperty("executable");
        String started = p.getProperty("started");
        String arguments = p.getProperty("arguments");
        boolean same = executable != null
                && started != null
                && info.command().filter(executable::equals).isPresent()
                && info.startInstant().filter(t -> t.toString().equals(started)).isPresent()
                && (arguments == null
                        || info.arguments()
                                .map(a -> String.join(ARG_SEPARATOR, a))
                                .filter(arguments::equals)
                                .isPresent());
        if (!same) {
            log.info(
                    "pid {} from {} is now another program ({}); left alone",
                    pid,
                    f,
                    info.command().orElse("unknown"));
            return Optional.empty();
        }
        return Optional.of(new Leftover(f, handle.get(), p.getProperty("command", executable)));
    }
}
