package dev.baton.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The admin API's description: {@code GET /openapi.json} (OpenAPI 3.1, written as
 * YAML in {@code admin/openapi.yaml} because people maintain it) and {@code GET /docs},
 * Swagger UI from its webjar reading that document. Tests compare the document
 * with the router's real routes, so neither drifts from the other.
 */
final class ApiDocs {
    private static final String SWAGGER = "META-INF/resources/webjars/swagger-ui/";

    private final String openApiJson;
    private final String docsPage;

    ApiDocs() {
        try {
            openApiJson = new ObjectMapper()
                    .writeValueAsString(new ObjectMapper(new YAMLFactory()).readTree(resource("admin/openapi.yaml")));
            docsPage = new String(resource("admin/docs.html").readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("admin API description unreadable", e);
        }
    }

    void mount(Router router) {
        router.get("/openapi.json")
                .handler(rc -> rc.response()
                        .putHeader("content-type", "application/json")
                        .end(openApiJson));
        router.get("/docs")
                .handler(rc -> rc.response()
                        .putHeader("content-type", "text/html; charset=utf-8")
                        .end(docsPage));
        router.get("/docs/assets/*").handler(StaticHandler.create(SWAGGER + swaggerVersion()));
    }

    private static String swaggerVersion() {
        Properties p = new Properties();
        try (InputStream in = resource("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("swagger-ui webjar missing from the jar", e);
        }
        return p.getProperty("version");
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException("no resource " + name);
        }
        return in;
    }
}
