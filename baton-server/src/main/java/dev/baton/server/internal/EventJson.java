package dev.baton.server.internal;

import dev.baton.events.Event;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;

/** An event as CONTRACT §6 writes it, {@code {"id","type","time","data"}}, for SSE and webhooks. */
final class EventJson {
    private EventJson() {}

    static JsonObject json(Event e) {
        return new JsonObject()
                .put("id", e.id())
                .put("type", e.type().name())
                .put("time", e.time().toString())
                .put("data", new JsonObject(new LinkedHashMap<>(e.data())));
    }

    static String encode(Event e) {
        return json(e).encode();
    }
}
