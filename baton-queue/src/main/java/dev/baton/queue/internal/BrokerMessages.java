package dev.baton.queue.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.baton.store.QueueRecords;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the broker backends share: on a broker a message cannot be changed where it
 * lies, so each attempt is a copy that carries its attempts and their errors (as
 * JSON in its headers), and each failure a new copy with one more.
 */
final class BrokerMessages {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR = 1000;

    private BrokerMessages() {}

    /** {@code m} to publish again, due {@code now} (the backend decides when it is delivered). */
    static QueueRecords.NewMessage copy(QueueRecords.Message m, Instant now) {
        return new QueueRecords.NewMessage(
                m.queue(),
                m.id(),
                m.priority(),
                Optional.empty(),
                now,
                m.headers(),
                m.body(),
                m.json(),
                Optional.empty(),
                now);
    }

    /** {@code m}'s attempts as JSON, with its current one failed at {@code now} with {@code error}. */
    static ArrayNode failed(QueueRecords.Message m, Instant now, String error) {
        ArrayNode errors = JsonNodeFactory.instance.arrayNode();
        m.attempts()
                .forEach(a -> errors.addObject()
                        .put("attempt", a.attempt())
                        .put("time", a.at().toString())
                        .put("error", a.error()));
        errors.addObject()
                .put("attempt", m.attempt())
                .put("time", now.toString())
                .put("error", error.length() > MAX_ERROR ? error.substring(0, MAX_ERROR) : error);
        return errors;
    }

    /** Attempts from their JSON; none from what is not Baton's. */
    static List<QueueRecords.Attempt> attempts(String json) {
        List<QueueRecords.Attempt> out = new ArrayList<>();
        try {
            for (var e : JSON.readTree(json)) {
                out.add(new QueueRecords.Attempt(
                        e.path("attempt").asInt(),
                        Instant.parse(e.path("time").asText()),
                        e.path("error").asText()));
            }
        } catch (IOException | RuntimeException ignored) {
            // a message not of Baton's: no attempts to show
        }
        return out;
    }

    /** The deepest cause's message: what a client wraps in its own words. */
    static String why(@Nullable Throwable e) {
        String why = null;
        Throwable root = e;
        for (Throwable c = e; c != null; c = c.getCause()) {
            root = c;
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                why = c.getMessage().lines().findFirst().orElse(c.getMessage());
            }
        }
        return why != null ? why : root == null ? "unknown" : root.getClass().getSimpleName();
    }
}
