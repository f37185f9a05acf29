package dev.baton.supervisor;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One supervised process as the admin API shows it, at one moment. {@code id} is
 * the service id, or the instance id when the service runs a process per instance.
 * {@code restarts} counts every restart since Baton launched it first (or since an
 * operator started it again); {@code reason} says why it last ended or is waiting;
 * {@code blockedBy} names the dependencies it waits for.
 */
public record ProcessStatus(
        String id,
        String service,
        Optional<String> instance,
        ProcessState state,
        OptionalLong pid,
        int restarts,
        Optional<Instant> startedAt,
        OptionalInt exitCode,
        Optional<String> reason,
        List<String> blockedBy,
        Optional<Instant> nextStartAt,
        Path log) {

    public ProcessStatus {
        blockedBy = List.copyOf(blockedBy);
    }
}
