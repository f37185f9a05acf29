package dev.baton.telemetry;

import dev.baton.events.Event;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;

/** An event as JSON, {@code {"id","type","time","data"}}: what the event stream and webhooks send. */
public final class EventJson {
    private EventJson() {}

    public static JsonObject json(Event e) {
        return new JsonObject()
                .put("id", e.id())
                .put("type", e.type().name())
                .put("time", e.time().toString())
                .put("data", new JsonObject(new LinkedHashMap<>(e.data())));
    }

    public static String encode(Event e) {
        return json(e).encode();
    }
}
