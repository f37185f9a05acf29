package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What an application that embeds Baton is given stays true: {@code baton-bom},
 * which has no parent and so writes its version out, is at Baton's version and
 * lists every module an application may use.
 */
class EmbeddingDocsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** Modules that are not for applications: benchmarks, the tarball, the BOM itself, examples. */
    private static final List<String> UNPUBLISHED = List.of("baton-bench", "baton-dist", "baton-bom");

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
