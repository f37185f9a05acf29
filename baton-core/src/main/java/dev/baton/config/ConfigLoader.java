package dev.baton.config;

import dev.baton.config.internal.ConfigReader;
import dev.baton.config.internal.Problems;
import dev.baton.config.internal.YamlNode;
import dev.baton.config.internal.YamlTreeParser;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Reads a Baton YAML config from a file or a string, expands {@code ${ENV}}
 * references and validates everything, throwing a {@link ConfigException} that
 * lists every problem at once.
 */
public final class ConfigLoader {
    private final Map<String, String> env;

    /** A loader that expands variables from {@code env} (usually {@link System#getenv()}). */
    public ConfigLoader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public Config load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            String why = e instanceof NoSuchFileException
                    ? "no such file"
                    : e instanceof CharacterCodingException ? "not valid UTF-8" : e.toString();
            throw new ConfigException(List.of(new ConfigError(file.toString(), 1, "", "cannot read config: " + why)));
        }
        return read(text, file.toString(), directoryOf(file), ConfigReader::read);
    }

    /**
     * A config that is not read from a file (embedding, tests): relative paths in it
     * are from the working directory. From {@link #load}, they are from the file's.
     */
    public Config parse(String yaml, String fileName) {
        return read(yaml, fileName, Path.of("").toAbsolutePath(), ConfigReader::read);
    }

    private static Path directoryOf(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of("").toAbsolutePath() : parent;
    }

    /**
     * Reads a discovery file (see {@link DiscoveryConfig}): service ids mapped to
     * definitions exactly as under {@code services:}, in YAML or JSON. {@code
     * fileName} is the file's path: relative paths in it are from its directory.
     */
    public Map<String, ServiceConfig> parseServices(String yaml, String fileName) {
        return read(yaml, fileName, directoryOf(Path.of(fileName)), ConfigReader::readServices);
    }

    private <T> T read(String yaml, String fileName, Path base, BiFunction<ConfigReader, YamlNode, T> reader) {
        Problems problems = new Problems(fileName, env, base);
        List<String> duplicates = new ArrayList<>();
        YamlNode root;
        try {
            root = new YamlTreeParser().parse(yaml, duplicates);
        } catch (YamlTreeParser.SyntaxException e) {
            throw new ConfigException(List.of(new ConfigError(fileName, e.line(), "", e.getMessage())));
        }
        for (String d : duplicates) {
            int colon = d.indexOf(':');
            problems.add(Integer.parseInt(d.substring(0, colon)), d.substring(colon + 1), "duplicate key");
        }
        T result = reader.apply(new ConfigReader(problems), root);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.errors());
        }
        return result;
    }
}
