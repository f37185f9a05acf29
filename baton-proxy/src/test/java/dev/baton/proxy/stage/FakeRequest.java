package dev.baton.proxy.stage;

import dev.baton.config.ConfigLoader;
import dev.baton.control.RouteTarget;
import dev.baton.control.Snapshot;
import dev.baton.security.Caller;
import dev.baton.testing.FakeClock;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A request as a stage sees it, without a server: the test sets the head, feeds
 * the body and completes awaited work itself, and reads what the stage did.
 */
final class FakeRequest implements StageContext {
    final FakeClock clock = new FakeClock();
    final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    final Map<Class<?>, Object> notes = new HashMap<>();
    String method = "GET";
    String uri = "/api/x";
    String client = "10.0.0.1";
    boolean hasBody;
    RouteTarget route;
    Caller caller;
    byte[] replacedBody;
    Function<byte[], Step> bodyReader;
    Runnable pending;
    Step resumedWith;

    /** The first route of a config holding {@code services: { s: … } }} and {@code routeYaml} under {@code routes:}. */
    static FakeRequest on(String routeYaml) {
        FakeRequest r = new FakeRequest();
        r.route = Snapshot.compile(new ConfigLoader(Map.of()).parse("""
                                security: { jwt: { secret: "0123456789abcdef0123456789abcdef", issuer: baton } }
                                services: { s: { instances: [ "http://127.0.0.1:1" ] } }
                                routes:
                                  - %s
                                """.formatted(routeYaml), "test.yaml"))
                .routeTargets()
                .get(0);
        return r;
    }

    FakeRequest header(String name, String value) {
        headers.add(name, value);
        return this;
    }

    /** The whole body arrives: the stage's reader decides the step the pipeline resumes with. */
    Step body(byte[] body) {
        resumedWith = bodyReader.apply(body);
        return resumedWith;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public MultiMap headers() {
        return headers;
    }

    @Override
    public RouteTarget route() {
        return route;
    }

    @Override
    public String clientAddress() {
        return client;
    }

    @Override
    public boolean hasBody() {
        return hasBody;
    }

    @Override
    public Optional<Caller> caller() {
        return Optional.ofNullable(caller);
    }

    @Override
    public void caller(Caller verified) {
        caller = verified;
    }

    @Override
    public java.time.Clock clock() {
        return clock;
    }

    @Override
    public void readBody(Function<byte[], Step> then) {
        bodyReader = then;
    }

    @Override
    public void replaceBody(byte[] body) {
        replacedBody = body;
    }

    @Override
    public <T> void await(Future<T> work, Function<AsyncResult<T>, Step> then) {
        pending = () -> resumedWith = then.apply(work);
    }

    @Override
    public Vertx vertx() {
        throw new UnsupportedOperationException("no Vert.x in a stage's unit test");
    }

    @Override
    public Optional<RedisRateLimiter> redisLimits() {
        return Optional.empty();
    }

    @Override
    public <T> void note(Class<T> key, T value) {
        notes.put(key, value);
    }

    @Override
    public <T> Optional<T> noted(Class<T> key) {
        return Optional.ofNullable(key.cast(notes.get(key)));
    }
}
