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
        return validation
                .checkHead(request.uri(), request.headers(), request.hasBody())
                .map(ValidationStage::refusal)
                .orElseGet(Step::next);
    }

    /** A failed check's answer: its status and message, counted as its type of violation. */
    static Step refusal(RequestValidation.Violation bad) {
        return Step.respond(bad.status(), bad.message(), Optional.of(bad.type()));
    }
}
