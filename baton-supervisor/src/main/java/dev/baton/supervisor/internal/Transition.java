package dev.baton.supervisor.internal;

import static dev.baton.supervisor.ProcessState.BACKOFF;
import static dev.baton.supervisor.ProcessState.FAILED;
import static dev.baton.supervisor.ProcessState.RUNNING;
import static dev.baton.supervisor.ProcessState.STARTING;
import static dev.baton.supervisor.ProcessState.STOPPED;
import static dev.baton.supervisor.ProcessState.STOPPING;

import dev.baton.supervisor.ProcessState;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What moves a {@link ProcessMachine}: each event, with the states it may leave
 * and those it may lead to: the transition table of a supervised process. An
 * event in a state it cannot leave is a bug in the supervisor, and is refused with
 * an IllegalStateException that names the state and the states the event goes
 * between.
 */
enum Transition {
    LAUNCHED(EnumSet.of(STOPPED, BACKOFF), EnumSet.of(STARTING)),
    LAUNCH_FAILED(EnumSet.of(STOPPED, BACKOFF), EnumSet.of(STOPPED, BACKOFF, FAILED)),
    READY(EnumSet.of(STARTING), EnumSet.of(RUNNING)),
    KEPT_RUNNING(EnumSet.of(RUNNING), EnumSet.of(RUNNING)),
    START_TIMED_OUT(EnumSet.of(STARTING), EnumSet.of(STOPPING)),
    TURNED_UNHEALTHY(EnumSet.of(RUNNING), EnumSet.of(STOPPING)),
    STOP_REQUESTED(EnumSet.of(STARTING, RUNNING), EnumSet.of(STOPPING)),
    KILLED_AFTER_GRACE(EnumSet.of(STOPPING), EnumSet.of(STOPPING)),
    EXITED(EnumSet.of(STARTING, RUNNING, STOPPING), EnumSet.of(STOPPED, BACKOFF, FAILED)),
    RESTART_REQUESTED(EnumSet.allOf(ProcessState.class), EnumSet.of(STOPPING, BACKOFF, STOPPED)),
    UNWANTED(EnumSet.allOf(ProcessState.class), EnumSet.of(STOPPED)),
    CLEARED(EnumSet.of(STOPPED, FAILED), EnumSet.of(STOPPED)),
    WAITING(EnumSet.of(STOPPED), EnumSet.of(STOPPED));

    private final Set<ProcessState> from;
    private final Set<ProcessState> to;

    Transition(Set<ProcessState> from, Set<ProcessState> to) {
        this.from = from;
        this.to = to;
    }

    /** The states this event may leave. */
    Set<ProcessState> from() {
        return EnumSet.copyOf(from);
    }

    /** The states this event may lead to. */
    Set<ProcessState> to() {
        return EnumSet.copyOf(to);
    }

    /** Refuses this event for {@code process} when it cannot leave {@code state}. */
    void check(Object process, ProcessState state) {
        if (!from.contains(state)) {
            throw new IllegalStateException(
                    process + " is " + state + ", but " + this + " goes from " + names(from) + " to " + names(to));
        }
    }

    /** Refuses a move from {@code state} to {@code next} that this event does not make. */
    void check(Object process, ProcessState state, ProcessState next) {
        check(process, state);
        if (!to.contains(next)) {
            throw new IllegalStateException(process + ": " + this + " cannot go from " + state + " to " + next);
        }
    }

    private static String names(Set<ProcessState> states) {
        return states.size() == ProcessState.values().length
                ? "any state"
                : states.stream().map(Enum::name).collect(Collectors.joining(" or "));
    }

    /** As people say it: {@code killed after grace}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
