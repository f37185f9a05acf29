package dev.baton.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.supervisor.Launcher;
import dev.baton.supervisor.ProcessState;
import dev.baton.testing.FakeClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The transition table, tried whole: every event in every state, refused exactly where the table says. */
class TransitionTest {
    final FakeClock clock = new FakeClock();
    final FakeLauncher launcher = new FakeLauncher();

    Instant now() {
        return clock.instant();
    }

    ProcessMachine machine() {
        ProcessMachine m = new ProcessMachine(ProcessMachineTest.planned("{ command: [api], max-restarts: 1 }"));
        m.want();
        return m;
    }

    Launcher.Child child(ProcessMachine m) {
        try {
            return launcher.launch(m.planned().spec());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Drives a fresh machine into {@code state} through its own transitions. */
    ProcessMachine in(ProcessState state) {
        ProcessMachine m = machine();
        switch (state) {
            case STOPPED -> {}
            case STARTING -> m.launched(child(m), now());
            case RUNNING -> {
                m.launched(child(m), now());
                m.becameReady(now());
            }
            case STOPPING -> {
                m.launched(child(m), now());
                m.startTimedOut(now());
            }
            case BACKOFF -> {
                m.launched(child(m), now());
                m.exited(1, now());
            }
            case FAILED -> {
                m.launched(child(m), now());
                m.exited(1, now());
                m.launched(child(m), now());
                m.exited(1, now());
            }
        }
        assertThat(m.state()).isEqualTo(state);
        return m;
    }

    final Map<Transition, BiConsumer<ProcessMachine, Instant>> events = Map.ofEntries(
            Map.entry(Transition.LAUNCHED, (m, now) -> m.launched(child(m), now)),
            Map.entry(Transition.LAUNCH_FAILED, (m, now) -> m.launchFailed("cannot start", now)),
            Map.entry(Transition.READY, (m, now) -> m.becameReady(now)),
            Map.entry(Transition.KEPT_RUNNING, (m, now) -> m.keptRunning(now)),
            Map.entry(Transition.START_TIMED_OUT, (m, now) -> m.startTimedOut(now)),
            Map.entry(Transition.TURNED_UNHEALTHY, (m, now) -> m.turnedUnhealthy(now)),
            Map.entry(Transition.STOP_REQUESTED, (m, now) -> m.stopRequested(now)),
            Map.entry(Transition.KILLED_AFTER_GRACE, (m, now) -> m.killedAfterGrace(now.plusSeconds(3600))),
            Map.entry(Transition.EXITED, (m, now) -> m.exited(1, now)),
            Map.entry(Transition.RESTART_REQUESTED, (m, now) -> m.restartRequested("restarted", now)),
            Map.entry(Transition.UNWANTED, (m, now) -> m.unwanted("stopped")),
            Map.entry(Transition.CLEARED, (m, now) -> m.cleared()),
            Map.entry(Transition.WAITING, (m, now) -> m.waiting(List.of())));

    static Stream<Arguments> refused() {
        return Stream.of(Transition.values())
                .flatMap(t ->
                        EnumSet.complementOf(EnumSet.copyOf(t.from())).stream().map(s -> Arguments.of(t, s)));
    }

    static Stream<Arguments> allowed() {
        return Stream.of(Transition.values()).flatMap(t -> t.from().stream().map(s -> Arguments.of(t, s)));
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("refused")
    void anEventInAStateItCannotLeaveIsRefusedNamingTheStates(Transition t, ProcessState state) {
        ProcessMachine m = in(state);
        assertThatThrownBy(() -> events.get(t).accept(m, now()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("api is " + state + ", but " + t + " goes from ")
                .hasMessageContaining(" to " + t.to().iterator().next());
        assertThat(m.state()).isEqualTo(state);
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("allowed")
    void anEventInAStateItMayLeaveStaysOrLeadsWhereItsTableSays(Transition t, ProcessState state) {
        ProcessMachine m = in(state);
        events.get(t).accept(m, now());
        EnumSet<ProcessState> staysOrMoves = EnumSet.copyOf(t.to());
        staysOrMoves.add(state);
        assertThat(m.state()).isIn(staysOrMoves);
    }

    @Test
    void everyEventIsTried() {
        assertThat(events).containsOnlyKeys(Transition.values());
    }
}
