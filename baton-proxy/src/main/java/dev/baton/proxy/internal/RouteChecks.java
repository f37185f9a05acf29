package dev.baton.proxy.internal;

import dev.baton.config.JsonMapping;
import dev.baton.control.JwksFetcher;
import dev.baton.control.RequestValidation;
import dev.baton.control.RouteAuth;
import dev.baton.control.RouteTarget;
import dev.baton.security.JwtVerifier;
import dev.baton.security.SecurityViolations;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.util.function.Consumer;

/**
 * The checks a route asks of a request once it is matched, in order: the route's
 * IP lists, the head's validation rules, the Bearer token, and, when a JSON check,
 * an HMAC signature or a body mapping covers the body, the whole body read into
 * memory (within {@code max-body-size}), checked, then mapped. Every refusal is Baton's JSON error
 * and counts as a security violation of its type.
 */
final class RouteChecks {
    private final Exchange exchange;
    private final RouteTarget route;
    private final HttpServerRequest req;
    private final ProxyContext ctx;
    private JsonMapping mapping;

    RouteChecks(Exchange exchange) {
        this.exchange = exchange;
        this.route = exchange.route();
        this.req = exchange.request();
        this.ctx = exchange.context();
    }

    /** Runs {@code then} if every check passes; otherwise the client has been answered. */
    void run(Runnable then) {
        String client = exchange.clientAddress();
        if (!route.ip().open() && !route.ip().permits(client)) {
            refuse(SecurityViolations.IP_DENIED, 403, "client address " + client + " is not allowed on this route");
            return;
        }
        if (route.validation() != null) {
            RequestValidation.Violation bad = route.validation().checkHead(req, exchange.hasBody());
            if (bad != null) {
                refuse(bad.type(), bad.status(), bad.message());
                return;
            }
        }
        if (route.auth() != null) {
            authenticate(then, false);
            return;
        }
        afterAuth(then);
    }

    /**
     * Checks the Bearer token. A token signed with a key the route's JWKS does not
     * have yet fetches the keys (at most one fetch per interval), then is checked
     * again: key rotation costs one slower request, never a wrong 401 or a blocked loop.
     */
    private void authenticate(Runnable then, boolean refreshed) {
        RouteAuth auth = route.auth();
        RouteAuth.Verdict verdict = auth.check(req.getHeader("authorization"));
        var jwks = auth.jwks().orElse(null);
        if (jwks != null
                && verdict.status() == 401
                && !refreshed
                && JwtVerifier.UNKNOWN_KEY.equals(verdict.reason())
                && jwks.refreshDue(true)) {
            JwksFetcher.fetch(ctx.vertx(), jwks).onComplete(ar -> {
                if (!exchange.released()) {
                    authenticate(then, true);
                }
            });
            return;
        }
        if (jwks != null && jwks.refreshDue(false)) {
            JwksFetcher.fetch(ctx.vertx(), jwks); // refresh ahead; nobody waits for it
        }
        if (verdict.status() != 0) {
            if (verdict.status() == 401) {
                exchange.response().putHeader("www-authenticate", "Bearer realm=\"baton\", error=\"invalid_token\"");
            }
            refuse(
                    verdict.status() == 401 ? SecurityViolations.INVALID_TOKEN : SecurityViolations.FORBIDDEN_ROLE,
                    verdict.status(),
                    verdict.reason());
            return;
        }
        exchange.caller(verdict.caller());
        afterAuth(then);
    }

    private void afterAuth(Runnable then) {
        boolean validateBody = exchange.hasBody()
                && route.validation() != null
                && route.validation().needsBody();
        mapping = route.transform() == null || !exchange.hasBody()
                ? null
                : route.transform().requestBody(req.getHeader("content-type"), req.getHeader("content-length"));
        if (route.hmac() == null && !validateBody && mapping == null) {
            then.run();
        } else if (exchange.hasBody()) {
            readBody(body -> checkBody(body, then));
        } else {
            checkBody(new byte[0], then);
        }
    }

    private void checkBody(byte[] body, Runnable then) {
        if (exchange.hasBody()
                && route.validation() != null
                && route.validation().needsBody()) {
            RequestValidation.Violation bad = route.validation().checkBody(body);
            if (bad != null) {
                refuse(bad.type(), bad.status(), bad.message());
                return;
            }
        }
        if (route.hmac() != null) {
            String why = route.hmac()
                    .check(
                            req.method().name(),
                            req.uri(),
                            req.getHeader("x-baton-timestamp"),
                            req.getHeader("x-baton-signature"),
                            body,
                            ctx.clock().millis() / 1000);
            if (why != null) {
                refuse(SecurityViolations.BAD_SIGNATURE, 401, why);
                return;
            }
        }
        if (mapping != null) {
            // After the checks, which judge what the client sent.
            exchange.bodyRead(mapping.apply(body).orElse(body));
        }
        then.run();
    }

    /** Reads the whole request body (at most max-body-size) into memory, then hands it on. */
    private void readBody(Consumer<byte[]> then) {
        if ("100-continue".equalsIgnoreCase(req.getHeader("expect"))) {
            exchange.response().writeContinue();
        }
        long max = exchange.maxBodySize();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        io.vertx.core.Handler<io.vertx.core.buffer.Buffer> onChunk = chunk -> {
            if (exchange.released()) {
                return;
            }
            exchange.bodyActivity();
            if (buffer.size() + (long) chunk.length() > max) {
                ctx.violations().count(SecurityViolations.BODY_TOO_LARGE);
                exchange.reject(413, "request body exceeds the limit of " + max + " bytes", true);
                return;
            }
            buffer.writeBytes(chunk.getBytes());
        };
        req.handler(onChunk);
        req.endHandler(v -> {
            exchange.readingBody(false);
            if (!exchange.released()) {
                byte[] body = buffer.toByteArray();
                exchange.bodyRead(body);
                then.accept(body);
            }
        });
        exchange.readingBody(true);
        io.vertx.core.buffer.Buffer first = exchange.takeFirstChunk();
        if (first != null) {
            onChunk.handle(first);
        }
        exchange.resumeRequest();
    }

    private void refuse(String violation, int status, String message) {
        ctx.violations().count(violation);
        exchange.reject(status, message, exchange.hasUnreadBody());
    }
}
