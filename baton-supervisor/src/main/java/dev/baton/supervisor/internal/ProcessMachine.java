package dev.baton.supervisor.internal;

import static dev.baton.supervisor.ProcessState.BACKOFF;
import static dev.baton.supervisor.ProcessState.FAILED;
import static dev.baton.supervisor.ProcessState.RUNNING;
import static dev.baton.supervisor.ProcessState.STARTING;
import static dev.baton.supervisor.ProcessState.STOPPED;
import static dev.baton.supervisor.ProcessState.STOPPING;

import dev.baton.config.Durations;
import dev.baton.supervisor.Launcher;
import dev.baton.supervisor.ProcessState;
import dev.baton.supervisor.ProcessStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of one supervised process. Each transition is a method named for its
 * {@link Transition}; it checks the state it leaves and throws IllegalStateException,
 * naming the state it is in and the states the event goes between, when the event
 * cannot happen there: a bug in the supervisor, never something a user did. On the
 * way it records what the status shows (pid, restarts, last exit, reason, times),
 * keeps its {@link RestartPolicy}'s memory, and signals its program. Whether it is
 * wanted (should run) is kept here too, as an exit is judged by it. Owned by the
 * supervisor's one thread.
 */
final class ProcessMachine {
    private static final Logger log = LoggerFactory.getLogger(ProcessMachine.class);

    /**
     * What to do once a stop that Baton asked for has ended the program: stay stopped;
     * judge it as a failure (unhealthy, not ready in time) by the restart policy; or,
     * for an operator's restart, launch it again at once, not counted as a failure.
     */
    enum After {
        STOP,
        FAIL,
        RELAUNCH
    }

    private final PlannedProcess planned;
    private final RestartPolicy policy;

    private ProcessState state = STOPPED;
    private boolean wanted;
    /** Present exactly while the state is alive. */
    private Optional<Launcher.Child> child = Optional.empty();

    private long pid = -1;
    private Optional<Instant> startedAt = Optional.empty();
    private Instant readyAt = Instant.MIN;
    private Instant nextStartAt = Instant.MIN;
    private Instant stopDeadline = Instant.MIN;
    private boolean killed;
    private After after = After.STOP;

    private int restarts;
    private OptionalInt exitCode = OptionalInt.empty();
    private Optional<String> reason = Optional.empty();
    /** Why the next launch is a restart, for SERVICE_RESTARTED; empty for a first start. */
    private Optional<String> restartReason = Optional.empty();

    private List<String> blockedBy = List.of();

    ProcessMachine(PlannedProcess planned) {
        this.planned = planned;
        this.policy = new RestartPolicy(planned.config());
    }

    /** Its program was launched. Returns why, when this launch is a restart (counted in {@code restarts}). */
    Optional<String> launched(Launcher.Child launched, Instant now) {
        expect(Transition.LAUNCHED);
        Optional<String> restart = restartReason;
        restart.ifPresent(r -> restarts++);
        restartReason = Optional.empty();
        child = Optional.of(launched);
        pid = launched.pid();
        startedAt = Optional.of(now);
        killed = false;
        after = After.STOP;
        blockedBy = List.of();
        moveTo(Transition.LAUNCHED, STARTING);
        return restart;
    }

    /** Its program could not be launched: a failure like an exit, with no exit code. */
    void launchFailed(String why, Instant now) {
        expect(Transition.LAUNCH_FAILED);
        exitCode = OptionalInt.empty();
        failure(Transition.LAUNCH_FAILED, why, now);
    }

    /** Its gates say it is ready: its checks pass, or it has stayed up for min-uptime. */
    void becameReady(Instant now) {
        expect(Transition.READY);
        readyAt = now;
        // The reason stays: it says why the program last ended (a kill -9 before this
        // restart), which is what an operator looking at a RUNNING process asks.
        moveTo(Transition.READY, RUNNING);
        child().ready();
        log.info("{} is running (pid {})", this, pid);
    }

    /** It is still running at {@code now}; a run of {@code stable-after} resets the backoff. */
    void keptRunning(Instant now) {
        expect(Transition.KEPT_RUNNING);
        if (!now.isBefore(readyAt.plus(config().stableAfter()))) {
            policy.stableRun();
        }
        moveTo(Transition.KEPT_RUNNING, RUNNING);
    }

    /** It was not ready within its start-timeout: stopped, then judged by the restart policy. */
    void startTimedOut(Instant now) {
        expect(Transition.START_TIMED_OUT);
        reason = Optional.of("not ready within start-timeout (" + Durations.format(config().startTimeout()) + ")");
        terminate(Transition.START_TIMED_OUT, After.FAIL, now);
    }

    /** Its health checks failed while it ran: stopped, then judged by the restart policy. */
    void turnedUnhealthy(Instant now) {
        expect(Transition.TURNED_UNHEALTHY);
        reason = Optional.of("unhealthy: its health checks failed while it ran");
        terminate(Transition.TURNED_UNHEALTHY, After.FAIL, now);
    }

    /** It is no longer wanted and may stop now: asked to end, for the reason it was unwanted for. */
    void stopRequested(Instant now) {
        expect(Transition.STOP_REQUESTED);
        terminate(Transition.STOP_REQUESTED, After.STOP, now);
    }

    /** Its stop-grace has passed and it is still there: SIGKILL, once. */
    void killedAfterGrace(Instant now) {
        expect(Transition.KILLED_AFTER_GRACE);
        if (!overdue(now)) {
            throw new IllegalStateException(this + ": killed after grace, but "
                    + (killed ? "it was killed already" : "its stop-grace runs until " + stopDeadline));
        }
        log.warn("{} did not stop within stop-grace ({}); killing it", this, Durations.format(config().stopGrace()));
        killed = true;
        moveTo(Transition.KILLED_AFTER_GRACE, STOPPING);
        child().kill();
    }

    /** Its program ended, asked to or not: stopped, backing off to restart, or given up. */
    void exited(int code, Instant now) {
        expect(Transition.EXITED);
        child = Optional.empty();
        exitCode = OptionalInt.of(code);
        String how = RestartPolicy.describe(code);
        if (state == STOPPING) {
            switch (after) {
                case STOP -> moveTo(Transition.EXITED, STOPPED);
                case RELAUNCH -> {
                    restartReason = reason;
                    moveTo(Transition.EXITED, STOPPED);
                }
                case FAIL -> failure(Transition.EXITED, reason.orElse(how), now);
            }
            log.info("{} has stopped: it {}", this, how);
        } else if (!wanted) {
            reason = Optional.of(how);
            moveTo(Transition.EXITED, STOPPED);
        } else if (!policy.restarts(code)) {
            String restart = config().restart().configName();
            log.warn("{} {}; not restarted (restart: {})", this, how, restart);
            wanted = false;
            reason = Optional.of(how + " (restart: " + restart + ")");
            moveTo(Transition.EXITED, STOPPED);
        } else {
            failure(Transition.EXITED, how, now);
        }
    }

    /**
     * An operator restarts it, not counted as a failure: a running one is stopped
     * and launched again once it has gone, a stopping one is launched again once it
     * has gone, one backing off restarts at once, a stopped or FAILED one starts.
     */
    void restartRequested(String why, Instant now) {
        expect(Transition.RESTART_REQUESTED);
        wanted = true;
        switch (state) {
            case STARTING, RUNNING -> {
                reason = Optional.of(why);
                terminate(Transition.RESTART_REQUESTED, After.RELAUNCH, now);
            }
            case STOPPING -> {
                after = After.RELAUNCH;
                moveTo(Transition.RESTART_REQUESTED, STOPPING);
            }
            case BACKOFF -> {
                nextStartAt = now;
                restartReason = Optional.of(why);
                moveTo(Transition.RESTART_REQUESTED, BACKOFF);
            }
            case STOPPED, FAILED -> want();
        }
    }

    /** It should run (orchestration or an operator starts it); a STOPPED or FAILED one starts with a fresh count. */
    void want() {
        wanted = true;
        if (state == STOPPED || state == FAILED) {
            cleared();
        }
    }

    /** It should no longer run, for {@code why}; one waiting to be restarted stops waiting. */
    void unwanted(String why) {
        expect(Transition.UNWANTED);
        wanted = false;
        reason = Optional.of(why);
        if (state == BACKOFF) {
            moveTo(Transition.UNWANTED, STOPPED);
        }
    }

    /** Its failures are forgotten: a FAILED one is STOPPED, and the next failures count from none. */
    void cleared() {
        expect(Transition.CLEARED);
        policy.reset();
        moveTo(Transition.CLEARED, STOPPED);
    }

    /** Its gates were checked: it waits for {@code dependencies} (none: it may start). */
    void waiting(List<String> dependencies) {
        expect(Transition.WAITING);
        blockedBy = List.copyOf(dependencies);
        moveTo(Transition.WAITING, STOPPED);
    }

    private void terminate(Transition event, After then, Instant now) {
        after = then;
        stopDeadline = now.plus(config().stopGrace());
        killed = false;
        moveTo(event, STOPPING);
        log.info("{} stopping (pid {}): {}", this, pid, reason.orElse(""));
        child().terminate();
        if (overdue(now)) {
            killedAfterGrace(now);
        }
    }

    /** After a failure: back off and restart, or give up as FAILED; an unwanted one just stops. */
    private void failure(Transition event, String why, Instant now) {
        reason = Optional.of(why);
        if (!wanted) {
            moveTo(event, STOPPED);
            return;
        }
        Optional<Duration> delay = policy.next(now);
        if (delay.isEmpty()) {
            restartReason = Optional.empty();
            reason = Optional.of(policy.gaveUp(why));
            moveTo(event, FAILED);
            return;
        }
        nextStartAt = now.plus(delay.get());
        restartReason = Optional.of(why);
        moveTo(event, BACKOFF);
        log.warn("{} {}; restarting in {}", this, why, Durations.format(delay.get()));
    }

    private void expect(Transition event) {
        event.check(this, state);
    }

    /** The one place the state changes. */
    private void moveTo(Transition event, ProcessState next) {
        event.check(this, state, next);
        state = next;
    }

    private Launcher.Child child() {
        return child.orElseThrow(() -> new IllegalStateException(this + " is " + state + " without a program"));
    }

    private dev.baton.config.ProcessConfig config() {
        return planned.config();
    }

    PlannedProcess planned() {
        return planned;
    }

    String service() {
        return planned.service();
    }

    ProcessState state() {
        return state;
    }

    /** Whether it should be running: false once stopped by an operator, by orchestration or by shutdown. */
    boolean wanted() {
        return wanted;
    }

    /** The pid of its program, or of the last one; -1 before the first launch. */
    long pid() {
        return pid;
    }

    /** Whether {@code program} is the one it runs now (an exit of another is not its own). */
    boolean runs(Launcher.Child program) {
        return child.isPresent() && child.get() == program;
    }

    /** How long its program has been up: zero when none runs. */
    Duration upFor(Instant now) {
        return state.alive() ? Duration.between(startedAt.orElse(now), now) : Duration.ZERO;
    }

    /** Whether it is backing off and its restart is due. */
    boolean restartDue(Instant now) {
        return state == BACKOFF && !now.isBefore(nextStartAt);
    }

    /** Whether it is stopping, has not been killed, and its stop-grace has passed. */
    boolean overdue(Instant now) {
        return state == STOPPING && !killed && !now.isBefore(stopDeadline);
    }

    /** How logs name it: the service, or service/instance for a process per instance. */
    @Override
    public String toString() {
        return planned.toString();
    }

    ProcessStatus status() {
        return new ProcessStatus(
                planned.id(),
                planned.service(),
                planned.instance(),
                state,
                pid > 0 && state.alive() ? OptionalLong.of(pid) : OptionalLong.empty(),
                restarts,
                startedAt,
                exitCode,
                reason,
                blockedBy,
                state == BACKOFF ? Optional.of(nextStartAt) : Optional.empty(),
                planned.spec().log());
    }
}
