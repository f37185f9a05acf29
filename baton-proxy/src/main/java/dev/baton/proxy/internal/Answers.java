package dev.baton.proxy.internal;

import dev.baton.control.CorsPolicy;
import dev.baton.proxy.stage.Step;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The responses Baton writes to one exchange's client itself, without an upstream:
 * its JSON errors (a refused head, a stage's refusal, a failed try), a CORS
 * preflight's 204 and a breaker's fallback. Each gets what the route adds to Baton's
 * own answers ({@code decorate}: its stages' headers, CORS), the request id and
 * {@code Date}, and closes the connection after it when it must (an unread body, bad
 * framing); otherwise the request is read off so the connection can serve the next.
 * The {@link Exchange} ends itself around each (its counters before the client sees
 * the answer, its observers after).
 */
final class Answers {
    private final ProxyContext ctx;
    private final HttpServerRequest req;
    private final RequestBody body;
    private final String idHeader;
    private final String requestId;
    private final Consumer<MultiMap> decorate;

    Answers(
            ProxyContext ctx,
            HttpServerRequest req,
            RequestBody body,
            String idHeader,
            String requestId,
            Consumer<MultiMap> decorate) {
        this.ctx = ctx;
        this.req = req;
        this.body = body;
        this.idHeader = idHeader;
        this.requestId = requestId;
        this.decorate = decorate;
    }

    /** The header the request id travels in: X-Request-ID unless {@code server.request-id} names another. */
    String idHeader() {
        return idHeader;
    }

    /** Baton's JSON error; {@code close} drops the connection after it. */
    void error(int status, String message, boolean close) {
        write(close, () -> ErrorResponses.send(req.response(), status, message, idHeader, requestId));
    }

    /** A head that admission refused: counted as a violation when it is one, with {@code Allow} on a 405. */
    void refuse(Admission.Refuse refuse) {
        if (refuse.violation() != null) {
            ctx.violations().count(refuse.violation());
        }
        if (refuse.allow() != null) {
            req.response().putHeader("allow", refuse.allow());
        }
        error(refuse.status(), refuse.message(), refuse.close());
    }

    /** A stage's answer in place of the upstream's (a rate limit's 429, a failed JWT's 401). */
    void refused(Step.Respond answer) {
        answer.violation().ifPresent(ctx.violations()::count);
        answer.headers().forEach(h -> req.response().headers().add(h.getKey(), h.getValue()));
        error(answer.status(), answer.message(), answer.close() || body.unread());
    }

    /** A CORS preflight: 204 with what the route allows, or 403; never sent upstream. */
    void preflight(CorsPolicy cors) {
        String origin = req.getHeader("origin");
        if (!cors.allows(origin)) {
            error(403, "origin " + origin + " is not allowed on this route", false);
            return;
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        Optional<String> refused = cors.preflight(
                req.getHeader("access-control-request-method"),
                req.getHeader("access-control-request-headers"),
                headers);
        if (refused.isPresent()) {
            error(403, refused.get(), false);
        } else {
            content(204, headers, new byte[0]);
        }
    }

    /** A whole response of Baton's (a fallback, a preflight); an unread request body closes the connection after it. */
    void content(int status, Iterable<Map.Entry<String, String>> headers, byte[] content) {
        write(body.unread(), () -> {
            HttpServerResponse res = req.response();
            headers.forEach(h -> res.headers().add(h.getKey(), h.getValue()));
            res.headers().set(idHeader, requestId);
            return res.setStatusCode(status).end(Buffer.buffer(content));
        });
    }

    private void write(boolean close, Supplier<Future<Void>> write) {
        if (ErrorResponses.answer(req, ctx, close, decorate, write) && !close) {
            body.resume();
        }
    }
}
