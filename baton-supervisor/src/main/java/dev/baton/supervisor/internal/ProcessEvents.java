package dev.baton.supervisor.internal;

import dev.baton.events.EventSink;
import dev.baton.events.EventType;
import dev.baton.supervisor.ProcessStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The events the supervisor publishes about its processes, and what each says:
 * {@code SERVICE_STARTED} and {@code SERVICE_RESTARTED} at a launch,
 * {@code SERVICE_FAILED} when the restart policy gives a process up.
 */
final class ProcessEvents {
    private final EventSink sink;

    ProcessEvents(EventSink sink) {
        this.sink = sink;
    }

    /** A process was launched; {@code restartReason} is present when it is a restart. */
    void launched(ProcessMachine p, Optional<String> restartReason) {
        ProcessStatus status = p.status();
        Map<String, Object> data = about(status);
        data.put("pid", p.pid());
        if (restartReason.isPresent()) {
            lastEnd(status, data, restartReason.get());
            data.put("restarts", status.restarts());
            sink.publish(EventType.SERVICE_RESTARTED, data);
        } else {
            sink.publish(EventType.SERVICE_STARTED, data);
        }
    }

    /** A process was given up as FAILED; {@code blocked} are the dependents it holds back. */
    void gaveUp(ProcessMachine p, List<String> blocked) {
        ProcessStatus status = p.status();
        Map<String, Object> data = about(status);
        lastEnd(status, data, status.reason().orElseThrow());
        data.put("restarts", status.restarts());
        data.put("blocked", blocked);
        sink.publish(EventType.SERVICE_FAILED, data);
    }

    /** What every process event says: which process. */
    private static Map<String, Object> about(ProcessStatus status) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("service", status.service());
        data.put("process", status.id());
        return data;
    }

    /** Why it ended last: the reason, and the exit code when it exited. */
    private static void lastEnd(ProcessStatus status, Map<String, Object> data, String reason) {
        data.put("reason", reason);
        status.exitCode().ifPresent(code -> data.put("exitCode", code));
    }
}
