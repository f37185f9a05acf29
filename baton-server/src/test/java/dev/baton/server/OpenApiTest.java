package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /openapi.json} against the real admin API: the same endpoints, and
 * every operation answers with a documented status and the documented fields.
 */
class OpenApiTest {
    /** Values for path parameters, so every operation can be called for real. */
    static final Map<String, String> PARAMS = Map.of(
            "id",
            "orders",
            "type",
            "core",
            "instanceId",
            "orders-0",
            "action",
            "reset",
            "service",
            "orders",
            "name",
            "orders",
            "q",
            "jobs",
            "t",
            "signups",
            "s",
            "mail");

    @TempDir
    Path dir;

    Vertx vertx;
    TestUpstream up;
    Baton baton;
    JsonObject doc;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        up = TestUpstream.ok(vertx);
        Path file = dir.resolve("baton.yaml");
        Files.writeString(file, """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                services: { orders: { type: core, instances: [ "%s" ] } }
                routes: [ { path: /**, service: orders } ]
                """.formatted(dir.resolve("data"), up.url()));
        baton = Baton.builder().configFile(file).watch(false).build().start();
        doc = new JsonObject(call("GET", "/openapi.json", null).body());
    }

    @AfterEach
    void stop() throws Exception {
        Calls.closeAll(vertx, baton, up);
    }

    HttpResponse<String> call(String method, String path, String body) throws Exception {
        return Calls.send(baton.adminPort(), method, path, body);
    }

    List<String[]> operations() {
        List<String[]> ops = new ArrayList<>();
        JsonObject paths = doc.getJsonObject("paths");
        for (String path : new TreeSet<>(paths.fieldNames())) {
            for (String method : paths.getJsonObject(path).fieldNames()) {
                if (!method.equals("parameters")) {
                    ops.add(new String[] {method.toUpperCase(), path});
                }
            }
        }
        return ops;
    }

    @Test
    void documentsExactlyTheEndpointsTheRouterServes() {
        assertThat(doc.getString("openapi")).isEqualTo("3.1.0");
        assertThat(operations().stream().map(o -> o[0] + " " + o[1]).toList())
                .containsExactlyInAnyOrderElementsOf(baton.admin().endpoints());
    }

    @Test
    void everyOperationAnswersWithADocumentedStatusAndItsRequiredFields() throws Exception {
        for (String[] op : operations()) {
            String path = op[1];
            for (var p : PARAMS.entrySet()) {
                path = path.replace("{" + p.getKey() + "}", p.getValue());
            }
            String body = op[0].equals("GET") || op[0].equals("DELETE") ? null : "{}";
            JsonObject operation =
                    doc.getJsonObject("paths").getJsonObject(op[1]).getJsonObject(op[0].toLowerCase());
            JsonObject ok = operation.getJsonObject("responses").getJsonObject("200");
            if (ok != null && ok.getJsonObject("content", new JsonObject()).containsKey("text/event-stream")) {
                // An endless stream: its head is the answer.
                var stream = java.net.http.HttpClient.newHttpClient()
                        .send(
                                java.net.http.HttpRequest.newBuilder(
                                                java.net.URI.create("http://127.0.0.1:" + baton.adminPort() + path))
                                        .build(),
                                HttpResponse.BodyHandlers.ofInputStream());
                assertThat(stream.statusCode()).as(path).isEqualTo(200);
                assertThat(stream.headers().firstValue("content-type"))
                        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
                stream.body().close();
                continue;
            }
            HttpResponse<String> r = call(op[0], path, body);
            JsonObject responses = operation.getJsonObject("responses");
            String what = op[0] + " " + path + " -> " + r.statusCode() + " " + r.body();
            assertThat(responses.fieldNames()).as(what).contains(String.valueOf(r.statusCode()));
            JsonObject response = resolve(responses.getJsonObject(String.valueOf(r.statusCode())));
            JsonObject content = response.getJsonObject("content");
            if (content != null && content.containsKey("application/json")) {
                JsonObject schema = content.getJsonObject("application/json").getJsonObject("schema");
                Object json = r.body().startsWith("[") ? new JsonArray(r.body()) : new JsonObject(r.body());
                assertThat(missing(schema, json)).as(what).isEmpty();
            }
        }
        assertThat(call("POST", "/orchestrator/start", null).statusCode()).isEqualTo(200);
    }

    @Test
    void everyChangeDocumentsTheBrowserRefusals() {
        for (String[] op : operations()) {
            if (List.of("POST", "PUT", "DELETE").contains(op[0])) {
                JsonObject responses = doc.getJsonObject("paths")
                        .getJsonObject(op[1])
                        .getJsonObject(op[0].toLowerCase())
                        .getJsonObject("responses");
                assertThat(responses.fieldNames()).as(op[0] + " " + op[1]).contains("403", "415");
            }
        }
        assertThat(doc.getJsonObject("info").getString("description")).contains("421", "security.admin-hosts");
    }

    @Test
    void theDocsPageRendersTheDocumentWithSwaggerUi() throws Exception {
        HttpResponse<String> page = call("GET", "/docs", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("/openapi.json").contains("/docs/assets/swagger-ui-bundle.js");
        HttpResponse<String> bundle = call("GET", "/docs/assets/swagger-ui-bundle.js", null);
        assertThat(bundle.statusCode()).isEqualTo(200);
        assertThat(bundle.body()).contains("SwaggerUIBundle");
        assertThat(call("GET", "/docs/assets/../openapi.yaml", null).statusCode())
                .isEqualTo(404);
    }

    private JsonObject resolve(JsonObject node) {
        String ref = node.getString("$ref");
        if (ref == null) {
            return node;
        }
        JsonObject target = doc;
        for (String part : ref.substring(2).split("/")) {
            target = target.getJsonObject(part);
        }
        return resolve(target);
    }

    /** Required properties of {@code schema} (through $ref and allOf) that {@code json} lacks, and in arrays' items. */
    private List<String> missing(JsonObject schema, Object json) {
        JsonObject s = resolve(schema);
        List<String> out = new ArrayList<>();
        if (s.containsKey("allOf")) {
            for (Object part : s.getJsonArray("allOf")) {
                out.addAll(missing((JsonObject) part, json));
            }
        }
        if (json instanceof JsonArray array && s.containsKey("items")) {
            for (Object item : array) {
                out.addAll(missing(s.getJsonObject("items"), item));
            }
        }
        if (json instanceof JsonObject object && s.containsKey("required")) {
            for (Object field : s.getJsonArray("required")) {
                if (!object.containsKey((String) field)) {
                    out.add((String) field);
                }
            }
            JsonObject props = s.getJsonObject("properties", new JsonObject());
            for (String name : props.fieldNames()) {
                Object value = object.getValue(name);
                if (value instanceof JsonObject || value instanceof JsonArray) {
                    out.addAll(missing(props.getJsonObject(name), value).stream()
                            .map(m -> name + "." + m)
                            .toList());
                }
            }
        }
        return out;
    }
}
