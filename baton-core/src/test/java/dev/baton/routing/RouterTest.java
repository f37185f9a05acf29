package dev.baton.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterTest {
    private final List<RouteDefinition<String>> defs = new ArrayList<>();

    private RouterTest route(String id, String path, String... methods) {
        defs.add(new RouteDefinition<>(PathPattern.parse(path), Optional.empty(), Set.of(methods), id));
        return this;
    }

    private RouterTest hostRoute(String id, String host, String path) {
        defs.add(new RouteDefinition<>(PathPattern.parse(path), Optional.of(host), Set.of(), id));
        return this;
    }

    private String target(String method, String path) {
        return target(null, method, path);
    }

    private String target(String host, String method, String path) {
        RouteMatch<String> m = Router.build(defs).match(host, method, path);
        return m instanceof RouteMatch.Found<String> f
                ? f.target()
                : m.getClass().getSimpleName();
    }

    @Test
    void exactPrefixAndSegments() {
        route("exact", "/api/orders")
                .route("prefix", "/api/**")
                .route("param", "/api/orders/{id}")
                .route("star", "/api/*/items")
                .route("root", "/");
        assertThat(target("GET", "/api/orders")).isEqualTo("exact");
        assertThat(target("GET", "/api/orders/")).isEqualTo("exact");
        assertThat(target("GET", "/api/orders/42")).isEqualTo("param");
        assertThat(target("GET", "/api/carts/items")).isEqualTo("star");
        assertThat(target("GET", "/api/orders/42/lines")).isEqualTo("prefix");
        assertThat(target("GET", "/api")).isEqualTo("prefix");
        assertThat(target("GET", "/")).isEqualTo("root");
        assertThat(target("GET", "/other")).isEqualTo("NotFound");
        assertThat(target("GET", "/apiary")).isEqualTo("NotFound");
    }

    @Test
    void mostSpecificWinsRegardlessOfConfigOrder() {
        route("catch", "/**").route("api", "/api/**").route("v1", "/api/v1/**").route("param", "/api/{v}/users");
        assertThat(target("GET", "/api/v1/users")).isEqualTo("v1");
        assertThat(target("GET", "/api/v2/users")).isEqualTo("param");
        assertThat(target("GET", "/api/v2/other")).isEqualTo("api");
        assertThat(target("GET", "/elsewhere")).isEqualTo("catch");
    }

    @Test
    void literalBeatsParameterButBacktracks() {
        route("literal", "/a/b/c").route("param", "/a/{x}/d");
        assertThat(target("GET", "/a/b/d")).isEqualTo("param");
        assertThat(target("GET", "/a/b/c")).isEqualTo("literal");
    }

    @Test
    void parametersAreCaptured() {
        route("p", "/users/{user}/orders/*/{line}");
        RouteMatch<String> m = Router.build(defs).match(null, "GET", "/users/ann/orders/7/3");
        assertThat(m)
                .isInstanceOfSatisfying(
                        RouteMatch.Found.class, f -> assertThat(f.params()).containsExactly("ann", "7", "3"));
    }

    @Test
    void methodsFallThroughThen405WithAllow() {
        route("read", "/api/orders", "GET")
                .route("write", "/api/orders", "POST", "PUT")
                .route("any", "/api/**", "DELETE");
        assertThat(target("GET", "/api/orders")).isEqualTo("read");
        assertThat(target("HEAD", "/api/orders")).isEqualTo("read");
        assertThat(target("PUT", "/api/orders")).isEqualTo("write");
        assertThat(target("DELETE", "/api/orders")).isEqualTo("any");
        RouteMatch<String> m = Router.build(defs).match(null, "PATCH", "/api/orders");
        assertThat(m)
                .isInstanceOfSatisfying(
                        RouteMatch.MethodNotAllowed.class,
                        na -> assertThat(na.allow()).containsExactly("DELETE", "GET", "HEAD", "POST", "PUT"));
    }

    @Test
    void hostsAreMoreSpecificThanNoHost() {
        route("any", "/**").hostRoute("exact", "api.example.com", "/**").hostRoute("wild", "*.example.com", "/**");
        assertThat(target("api.example.com", "GET", "/x")).isEqualTo("exact");
        assertThat(target("API.Example.com:8080", "GET", "/x")).isEqualTo("exact");
        assertThat(target("www.example.com", "GET", "/x")).isEqualTo("wild");
        assertThat(target("example.com", "GET", "/x")).isEqualTo("any");
        assertThat(target(null, "GET", "/x")).isEqualTo("any");
    }

    @Test
    void hostRoutesFallBackToHostlessWhenThePathDoesNotMatch() {
        route("any", "/public/**").hostRoute("exact", "api.example.com", "/private/**");
        assertThat(target("api.example.com", "GET", "/public/x")).isEqualTo("any");
    }

    @Test
    void patternSyntax() {
        assertThat(PathPattern.parse("/a//b/").segments()).hasSize(2);
        assertThatThrownBy(() -> PathPattern.parse("/a/b*")).hasMessageContaining("mixes text and wildcards");
        assertThatThrownBy(() -> PathPattern.parse("/{1x}")).hasMessageContaining("not a valid parameter");
    }

    @Test
    void tenThousandRoutesStillMatchByTrie() {
        for (int i = 0; i < 10_000; i++) {
            route("r" + i, "/svc" + i + "/api/{id}/**");
        }
        assertThat(target("GET", "/svc9999/api/42/x")).isEqualTo("r9999");
        assertThat(target("GET", "/svc0/api/42")).isEqualTo("r0");
    }
}
