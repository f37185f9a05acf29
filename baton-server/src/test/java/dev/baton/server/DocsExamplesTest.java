package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.baton.config.ConfigError;
import dev.baton.config.ConfigException;
import dev.baton.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code yaml} block in the README and {@code docs/} is a config that {@code
 * ./baton validate} accepts, so an example can never rot. A block that is not a
 * whole config is merged into a small one ({@link #BASE}: the services and the
 * route the examples name), or, when its keys belong to a service ({@code
 * health-check:}, {@code retry:} …), made the body of one. A block preceded by
 * {@code <!-- not a baton.yaml -->} is something else (a discovery file, a
 * Kubernetes manifest) and is skipped. Variables ({@code ${X}}) are set to a value
 * long enough for any secret. What an example cannot know is this machine: that
 * its files and directories exist ({@code working-dir: /srv/orders}) is not held
 * against it.
 */
class DocsExamplesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern ABOUT_THIS_MACHINE = Pattern.compile("^(is not a directory|cannot read )");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)");
    /** The config file's top-level keys (see ConfigReader). */
    private static final Set<String> ROOTS = Set.of(
            "server",
            "limits",
            "security",
            "health",
            "discovery",
            "redis",
            "store",
            "services",
            "routes",
            "sagas",
            "queues",
            "topics",
            "events",
            "access-log",
            "alerts",
            "tracing",
            "metrics",
            "stats");

    private static final String BASE = """
            services:
              orders: { instances: [http://127.0.0.1:9101] }
              inventory: { instances: [http://127.0.0.1:9102] }
              payments: { instances: [http://127.0.0.1:9103] }
              shipping: { instances: [http://127.0.0.1:9104] }
            routes:
              - { id: checkout, path: /checkout/**, service: orders }
            """;
    private final ObjectMapper yaml =
            new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

    @TestFactory
    Stream<DynamicTest> everyYamlBlockInTheDocsValidates() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<Block> blocks = new ArrayList<>();
        for (Path f : files) {
            blocks.addAll(blocks(f));
        }
        assertThat(blocks).as("yaml blocks in README.md and docs/").hasSizeGreaterThanOrEqualTo(5);
        return blocks.stream()
                .map(b -> DynamicTest.dynamicTest(
                        b.where(),
                        () -> assertThat(errors(b))
                                .as("%s as a config", b.where())
                                .isEmpty()));
    }

    /** A fenced yaml block and where it starts. */
    record Block(Path file, int line, String text) {
        String where() {
            return ROOT.relativize(file) + " (the block at line " + line + ")";
        }
    }

    private static List<Block> blocks(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("```yaml")) {
                continue;
            }
            boolean skip = i > 0 && lines.get(i - 1).contains("<!-- not a baton.yaml -->");
            int start = i + 1;
            StringBuilder text = new StringBuilder();
            for (i = start; i < lines.size() && !lines.get(i).strip().startsWith("```"); i++) {
                text.append(lines.get(i)).append('\n');
            }
            if (!skip) {
                blocks.add(new Block(file, start + 1, text.toString()));
            }
        }
        return blocks;
    }

    private List<String> errors(Block b) throws IOException {
        Map<String, String> env = new HashMap<>();
        Matcher m = VARIABLE.matcher(b.text());
        while (m.find()) {
            env.put(m.group(1), "x".repeat(40));
        }
        try {
            new ConfigLoader(env).parse(wrapped(b.text()), b.where());
            return List.of();
        } catch (ConfigException e) {
            return e.errors().stream()
                    .filter(error ->
                            !ABOUT_THIS_MACHINE.matcher(error.message()).find())
                    .map(ConfigError::toString)
                    .toList();
        }
    }

    /**
     * The block as a whole config: as written when it is one (so that errors have
     * its own line numbers) or is not even YAML (so that the loader says why), else
     * merged as the class comment says.
     */
    @SuppressWarnings("unchecked")
    private String wrapped(String text) throws IOException {
        Map<String, Object> snippet;
        try {
            snippet = yaml.readValue(text, Map.class);
        } catch (IOException notYaml) {
            return text;
        }
        if (!ROOTS.containsAll(snippet.keySet())) {
            Map<String, Object> service = merged(Map.of("instances", List.of("http://127.0.0.1:9101")), snippet);
            snippet = Map.of("services", Map.of("orders", service));
        }
        if (snippet.containsKey("services") && snippet.containsKey("routes")) {
            return text;
        }
        return yaml.writeValueAsString(merged(yaml.readValue(BASE, Map.class), snippet));
    }

    /** {@code over} laid over {@code base}: mappings merge key by key, anything else replaces. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> merged(Map<String, Object> base, Map<String, Object> over) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        over.forEach((k, v) -> out.merge(
                k,
                v,
                (a, b) -> a instanceof Map && b instanceof Map
                        ? merged((Map<String, Object>) a, (Map<String, Object>) b)
                        : b));
        return out;
    }
}
