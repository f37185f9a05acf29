package dev.baton.proxy.stage;

import dev.baton.config.JsonMapping;
import dev.baton.control.RequestValidation;
import dev.baton.control.RouteHmac;
import dev.baton.control.RouteTransform;
import dev.baton.security.SecurityViolations;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The rules of a route that need the whole request body, in order: its JSON check,
 * its HMAC signature, then its body mapping (after the checks, which judge what the
 * client sent). The body is read into memory, within {@code max-body-size}, only
 * when one of them applies to this request; it then goes upstream from memory.
 */
final class BodyStage implements Stage {
    private final Optional<RequestValidation> json;
    private final Optional<RouteHmac> hmac;
    private final Optional<RouteTransform> mapping;

    /** Empty when the route has none of the body rules. */
    static Optional<Stage> of(
            Optional<RequestValidation> validation, Optional<RouteHmac> hmac, Optional<RouteTransform> transform) {
        Optional<RequestValidation> json = validation.filter(RequestValidation::needsBody);
        Optional<RouteTransform> mapping = transform.filter(RouteTransform::hasRequestBody);
        if (json.isEmpty() && hmac.isEmpty() && mapping.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new BodyStage(json, hmac, mapping));
    }

    private BodyStage(Optional<RequestValidation> json, Optional<RouteHmac> hmac, Optional<RouteTransform> mapping) {
        this.json = json;
        this.hmac = hmac;
        this.mapping = mapping;
    }

    @Override
    public Step request(StageContext request) {
        boolean validate = request.hasBody() && json.isPresent();
        JsonMapping map = request.hasBody()
                ? mapping.flatMap(t -> t.requestBody(
                                request.headers().get("content-type"),
                                request.headers().get("content-length")))
                        .orElse(null)
                : null;
        if (hmac.isEmpty() && !validate && map == null) {
            return Step.next();
        }
        if (!request.hasBody()) {
            return check(request, new byte[0], false, null);
        }
        request.readBody(body -> check(request, body, validate, map));
        return Step.pause();
    }

    private Step check(StageContext request, byte[] body, boolean validate, @Nullable JsonMapping map) {
        if (validate) {
            Optional<RequestValidation.Violation> bad = json.get().checkBody(body);
            if (bad.isPresent()) {
                return ValidationStage.refusal(bad.get());
            }
        }
        if (hmac.isPresent()) {
            Optional<String> why = hmac.get()
                    .check(
                            request.method(),
                            request.uri(),
                            request.headers().get("x-baton-timestamp"),
                            request.headers().get("x-baton-signature"),
                            body,
                            request.clock().millis() / 1000);
            if (why.isPresent()) {
                return Step.respond(401, why.get(), Optional.of(SecurityViolations.BAD_SIGNATURE));
            }
        }
        if (map != null) {
            request.replaceBody(map.apply(body).orElse(body));
        }
        return Step.next();
    }
}
