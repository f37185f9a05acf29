package dev.baton.proxy.stage;

import dev.baton.control.RequestValidation;
import java.util.Optional;

/**
 * A route's checks of the request's head ({@code validate:}: target length, header
 * count and size, content type); a JSON body is checked later, by {@link BodyStage},
 * once authentication has passed.
 */
final class ValidationStage implements Stage {
    private final RequestValidation validation;

    ValidationStage(RequestValidation validation) {
        this.validation = validation;
    }

    @Override
    public Step request(StageContext request) {
        RequestValidation.Violation bad = validation.checkHead(request.uri(), request.headers(), request.hasBody());
        return bad == null ? Step.next() : Step.respond(bad.status(), bad.message(), Optional.of(bad.type()));
    }
}
