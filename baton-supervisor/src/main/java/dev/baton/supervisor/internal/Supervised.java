package dev.baton.supervisor.internal;

import dev.baton.config.ProcessConfig;
import dev.baton.supervisor.Launcher;
import dev.baton.supervisor.ProcessState;
import dev.baton.supervisor.ProcessStatus;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** One process under supervision and everything its restart policy remembers. Owned by one thread. */
final class Supervised {
    /** What to do once a stop that Baton asked for has ended the program. */
    enum After {
        /** Stay stopped. */
        STOP,
        /** A failure (unhealthy, not ready in time): the restart policy decides. */
        FAIL,
        /** An operator's restart: launch again at once, not counted against the policy. */
        RELAUNCH
    }

    final String service;
    final Optional<String> instance;
    final ProcessConfig config;
    final Launcher.Spec spec;

    ProcessState state = ProcessState.STOPPED;
    /** Whether it should be running: false once stopped by an operator, by orchestration or by shutdown. */
    boolean wanted;

    Launcher.Child child;
    long pid = -1;
    Instant startedAt;
    Instant readyAt;
    Instant nextStartAt;
    Instant stopDeadline;
    boolean killed;
    After after = After.STOP;

    int restarts;
    /** Failures in a row, for the backoff; cleared by a stable run. */
    int failures;
    /** When each restart within the window happened. */
    final Deque<Instant> recent = new ArrayDeque<>();

    Integer exitCode;
    String reason;
    /** Why the next launch is a restart, for SERVICE_RESTARTED; null for a first start. */
    String restartReason;

    List<String> blockedBy = List.of();

    Supervised(String service, Optional<String> instance, ProcessConfig config, Launcher.Spec spec) {
        this.service = service;
        this.instance = instance;
        this.config = config;
        this.spec = spec;
    }

    String id() {
        return instance.orElse(service);
    }

    String key() {
        return service + "/" + id();
    }

    /** How logs name it: the service, or service/instance for a process per instance. */
    @Override
    public String toString() {
        return instance.map(i -> service + "/" + i).orElse(service);
    }

    boolean sameAs(ProcessConfig config, Launcher.Spec spec) {
        return this.config.equals(config) && this.spec.equals(spec);
    }

    ProcessStatus status() {
        return new ProcessStatus(
                id(),
                service,
                instance,
                state,
                pid > 0 && state.alive() ? OptionalLong.of(pid) : OptionalLong.empty(),
                restarts,
                Optional.ofNullable(startedAt),
                exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode),
                Optional.ofNullable(reason),
                blockedBy,
                state == ProcessState.BACKOFF ? Optional.ofNullable(nextStartAt) : Optional.empty(),
                spec.log());
    }
}
