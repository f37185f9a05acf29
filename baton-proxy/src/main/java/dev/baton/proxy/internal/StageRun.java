package dev.baton.proxy.internal;

import dev.baton.control.RouteTarget;
import dev.baton.proxy.stage.Pipeline;
import dev.baton.proxy.stage.RedisRateLimiter;
import dev.baton.proxy.stage.Stage;
import dev.baton.proxy.stage.StageContext;
import dev.baton.proxy.stage.Step;
import dev.baton.security.Caller;
import dev.baton.security.SecurityViolations;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One request's pass through its route's {@link Pipeline}: runs the request side of
 * each stage in order, waits where one pauses and resumes on the request's event
 * loop, and tells the exchange the outcome once: every stage passed, or one answered.
 * It is the {@link StageContext} the stages see.
 */
final class StageRun implements StageContext {
    /** Where the outcome goes. */
    interface Outcome {
        /** Whether the exchange is over (the client left, a timeout): a late resume is dropped. */
        boolean over();

        /** Every stage passed: on to the upstream. */
        void passed();

        /** A stage answered: the client gets {@code answer}. */
        void refused(Step.Respond answer);
    }

    private final Pipeline pipeline;
    private final HttpServerRequest req;
    private final RouteTarget route;
    private final String clientAddress;
    private final RequestBody body;
    private final ProxyContext ctx;
    private final Context loop;
    private final Outcome outcome;
    private @Nullable Caller caller; // once a token stage has verified one
    private @Nullable Map<Class<?>, Object> notes; // made on the first note
    private int current;

    StageRun(
            Pipeline pipeline,
            HttpServerRequest req,
            RouteTarget route,
            String clientAddress,
            RequestBody body,
            ProxyContext ctx,
            Outcome outcome) {
        this.pipeline = pipeline;
        this.req = req;
        this.route = route;
        this.clientAddress = clientAddress;
        this.body = body;
        this.ctx = ctx;
        this.loop = ctx.vertx().getOrCreateContext();
        this.outcome = outcome;
    }

    /** Runs the request side from the first stage. */
    void run() {
        advance(0);
    }

    private void advance(int from) {
        for (int i = from; i < pipeline.stages().size(); i++) {
            current = i;
            Step step = pipeline.stages().get(i).request(this);
            if (step instanceof Step.Respond answer) {
                outcome.refused(answer);
                return;
            }
            if (step == Step.pause()) {
                return;
            }
        }
        outcome.passed();
    }

    private void resume(Step step) {
        if (outcome.over()) {
            return;
        }
        if (step instanceof Step.Respond answer) {
            outcome.refused(answer);
        } else if (step != Step.pause()) {
            advance(current + 1);
        }
    }

    /** The upstream request's headers pass every stage's {@link Stage#forward}. */
    void forward(MultiMap headers) {
        for (Stage stage : pipeline.stages()) {
            stage.forward(this, headers);
        }
    }

    /** Baton answers itself: every stage's {@link Stage#answered}. */
    void answered(MultiMap headers) {
        for (Stage stage : pipeline.stages()) {
            stage.answered(this, headers);
        }
    }

    @Override
    public String method() {
        return req.method().name();
    }

    @Override
    public String uri() {
        return req.uri();
    }

    @Override
    public MultiMap headers() {
        return req.headers();
    }

    @Override
    public RouteTarget route() {
        return route;
    }

    @Override
    public String clientAddress() {
        return clientAddress;
    }

    @Override
    public boolean hasBody() {
        return body.present();
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
    public Clock clock() {
        return ctx.clock();
    }

    @Override
    public void readBody(Function<byte[], Step> then) {
        body.readWhole(whole -> resume(then.apply(whole)), () -> {
            long max = body.max();
            resume(Step.respond(
                            413,
                            "request body exceeds the limit of " + max + " bytes",
                            Optional.of(SecurityViolations.BODY_TOO_LARGE))
                    .closing());
        });
    }

    @Override
    public void replaceBody(byte[] replacement) {
        body.replace(replacement);
    }

    @Override
    public <T> void await(Future<T> work, Function<AsyncResult<T>, Step> then) {
        work.onComplete(ar -> {
            Runnable resume = () -> {
                if (!outcome.over()) {
                    resume(then.apply(ar));
                }
            };
            if (Vertx.currentContext() == loop) {
                resume.run();
            } else {
                loop.runOnContext(v -> resume.run());
            }
        });
    }

    @Override
    public Vertx vertx() {
        return ctx.vertx();
    }

    @Override
    public Optional<RedisRateLimiter> redisLimits() {
        return Optional.ofNullable(ctx.redisLimits());
    }

    @Override
    public <T> void note(Class<T> key, T value) {
        if (notes == null) {
            notes = new IdentityHashMap<>(4);
        }
        notes.put(key, value);
    }

    @Override
    public <T> Optional<T> noted(Class<T> key) {
        return notes == null ? Optional.empty() : Optional.ofNullable(key.cast(notes.get(key)));
    }
}
