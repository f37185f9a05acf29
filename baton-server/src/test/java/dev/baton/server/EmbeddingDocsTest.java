package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * What an application that embeds Baton is given stays true. {@code baton-bom},
 * which has no parent and so writes its version out, is at Baton's version and
 * lists every module an application may use. The README's Embedding section
 * shows {@code examples/embedding} as it is: its Java block is the example's
 * source file, which the build compiles and the example's test runs, and its
 * Maven coordinates are the ones the example's pom uses, at Baton's version.
 */
class EmbeddingDocsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** Modules that are not for applications: benchmarks, the tarball, the BOM itself, examples. */
    private static final List<String> UNPUBLISHED = List.of("baton-bench", "baton-dist", "baton-bom");

    private static final Path EXAMPLE = ROOT.resolve("examples/embedding");
    private static final Path EXAMPLE_SOURCE =
            EXAMPLE.resolve("src/main/java/dev/baton/examples/embedding/EmbeddedGateway.java");

    @Test
    void theBomIsAtBatonsVersionAndListsEveryPublishedModule() throws Exception {
        Document root = xml(ROOT.resolve("pom.xml"));
        Document bom = xml(ROOT.resolve("baton-bom/pom.xml"));
        String version = child(root.getDocumentElement(), "version");
        assertThat(child(bom.getDocumentElement(), "version")).isEqualTo(version);

        List<String> published = new ArrayList<>();
        for (Element m : elements(root.getDocumentElement(), "modules", "module")) {
            String module = m.getTextContent().strip();
            if (!UNPUBLISHED.contains(module) && !module.startsWith("examples/")) {
                published.add(module);
            }
        }
        List<String> managed = new ArrayList<>();
        for (Element d : elements(bom.getDocumentElement(), "dependencyManagement", "dependencies", "dependency")) {
            if (child(d, "groupId").equals("dev.baton")) {
                assertThat(child(d, "version")).isEqualTo("${project.version}");
                managed.add(child(d, "artifactId"));
            }
        }
        assertThat(managed).containsAll(published);
        assertThat(published).containsAll(managed);
    }

    @Test
    void theReadmesJavaIsTheExamplesSource() throws Exception {
        assertThat(blocks(embedding(), "java"))
                .as("the README's Embedding section shows %s whole", ROOT.relativize(EXAMPLE_SOURCE))
                .containsExactly(Files.readString(EXAMPLE_SOURCE));
    }

    @Test
    void theReadmesCoordinatesAreTheExamplesAtBatonsVersion() throws Exception {
        String version = child(xml(ROOT.resolve("pom.xml")).getDocumentElement(), "version");
        List<String> xmlBlocks = blocks(embedding(), "xml");
        assertThat(xmlBlocks).hasSize(1);
        Element readme = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new InputSource(new StringReader("<project>" + xmlBlocks.get(0) + "</project>")))
                .getDocumentElement();
        Element example = xml(EXAMPLE.resolve("pom.xml")).getDocumentElement();

        List<Element> imports = elements(readme, "dependencyManagement", "dependencies", "dependency");
        assertThat(imports).singleElement().satisfies(bom -> {
            assertThat(coordinates(bom)).isEqualTo("dev.baton:baton-bom:pom:import");
            assertThat(child(bom, "version")).isEqualTo(version);
        });
        List<Element> exampleImports = elements(example, "dependencyManagement", "dependencies", "dependency");
        assertThat(exampleImports)
                .extracting(EmbeddingDocsTest::coordinates)
                .containsExactly(coordinates(imports.get(0)));
        assertThat(child(exampleImports.get(0), "version")).isEqualTo("${baton.version}");
        assertThat(child(elements(example, "properties").get(0), "baton.version"))
                .isEqualTo(version);

        List<String> exampleDependencies = elements(example, "dependencies", "dependency").stream()
                .map(EmbeddingDocsTest::coordinates)
                .toList();
        assertThat(elements(readme, "dependencies", "dependency"))
                .extracting(EmbeddingDocsTest::coordinates)
                .isNotEmpty()
                .allSatisfy(d -> assertThat(exampleDependencies).contains(d));
    }

    /** The README's Embedding section, up to the next section. */
    private static String embedding() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("\n## Embedding\n");
        assertThat(start).as("README.md has an Embedding section").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** The text of each fenced block in {@code markdown} of that language. */
    private static List<String> blocks(String markdown, String language) {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^```" + language + "\n(.*?)^```$", Pattern.DOTALL)
                .matcher(markdown);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    /** groupId:artifactId, then type and scope when given. */
    private static String coordinates(Element dependency) {
        StringBuilder s = new StringBuilder(child(dependency, "groupId") + ":" + child(dependency, "artifactId"));
        for (String extra : new String[] {"type", "scope"}) {
            if (!child(dependency, extra).isEmpty()) {
                s.append(':').append(child(dependency, extra));
            }
        }
        return s.toString();
    }

    static Document xml(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }

    /** The text of {@code parent}'s direct child element {@code name}, or "" without one. */
    static String child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e.getTextContent().strip();
            }
        }
        return "";
    }

    /** The elements at {@code path} below {@code from}, each step a direct child. */
    static List<Element> elements(Element from, String... path) {
        List<Element> level = List.of(from);
        for (String step : path) {
            List<Element> next = new ArrayList<>();
            for (Element e : level) {
                NodeList children = e.getChildNodes();
                for (int i = 0; i < children.getLength(); i++) {
                    if (children.item(i) instanceof Element c && c.getTagName().equals(step)) {
                        next.add(c);
                    }
                }
            }
            level = next;
        }
        return level;
    }
}
