package dev.baton.supervisor;

import dev.baton.config.Config;
import dev.baton.config.ServiceConfig;
import dev.baton.events.EventSink;
import dev.baton.lifecycle.Component;
import dev.baton.supervisor.internal.LogTail;
import dev.baton.supervisor.internal.OsLauncher;
import dev.baton.supervisor.internal.PidFiles;
import dev.baton.supervisor.internal.Supervision;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches the services that have a {@code process:} and keeps them running: in
 * dependency order, each once what it depends on is ready; restarted with backoff
 * when it exits or fails its health checks while it runs; given up as FAILED after
 * too many restarts; stopped dependents first, SIGTERM then SIGKILL. Stdout and
 * stderr go to rotated files under {@code data-dir/logs}.
 *
 * <p>One thread does all the supervising, ticking ten times a second and woken by
 * exits, so the state needs no locks; readers get an immutable view.
 */
public final class Supervisor implements Component<Config> {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
    private static final long TICK_MILLIS = 100;
    /** How long programs left by a killed Baton get to end on SIGTERM. */
    private static final Duration LEFTOVER_GRACE = Duration.ofSeconds(10);

    private final ScheduledExecutorService thread;
    private final Supervision supervision;
    private final List<CompletableFuture<Void>> waitingForIdle = new ArrayList<>();
    private volatile Map<String, List<ProcessStatus>> view = Map.of();
    private volatile Duration longestGrace = Duration.ZERO;
    // The directory of pid files and the lock, for a supervisor of real programs.
    private final Optional<Path> run;
    private @Nullable FileChannel lock; // held from start to close, with a run directory
    private @Nullable Thread exitHook;

    /**
     * A supervisor of real programs, with logs and pid files under {@code dataDir}.
     * It holds nothing until {@link #start}.
     */
    public Supervisor(Path dataDir, Readiness readiness, EventSink events, Clock clock) {
        this(
                dataDir,
                new OsLauncher(new PidFiles(dataDir.resolve("run"))),
                readiness,
                events,
                clock,
                Optional.of(dataDir.resolve("run")));
    }

    /** A supervisor with its own launcher (tests pretend), holding no lock. */
    public Supervisor(Path dataDir, Launcher launcher, Readiness readiness, EventSink events, Clock clock) {
        this(dataDir, launcher, readiness, events, clock, Optional.empty());
    }

    private Supervisor(
            Path dataDir, Launcher launcher, Readiness readiness, EventSink events, Clock clock, Optional<Path> run) {
        this.run = run;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "baton-supervisor");
            t.setDaemon(true);
            return t;
        });
        this.supervision = new Supervision(dataDir, launcher, readiness, events, clock, this::later);
    }

    /**
     * Starts supervising. A supervisor of real programs first takes the data
     * directory's supervisor lock, so that two Batons never run (or clean up) each
     * other's programs, then ends the programs a Baton killed without stopping them
     * left running (pid files under {@code dataDir/run}). IllegalStateException when
     * another Baton holds the lock. Launches nothing: see {@link #startAll}.
     */
    @Override
    public void start() {
        if (run.isPresent()) {
            lock = lock(run.get());
            int ended = new PidFiles(run.get()).cleanUp(LEFTOVER_GRACE);
            if (ended > 0) {
                log.warn("ended {} program(s) left running by a previous Baton", ended);
            }
            // An embedding application that exits without stopping Baton must not leave its programs running.
            exitHook = new Thread(this::stopForExit, "baton-supervisor-exit");
            Runtime.getRuntime().addShutdownHook(exitHook);
        }
        thread.scheduleWithFixedDelay(
                () -> guarded(supervision::tick), TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Follows the config's services (see {@link #configure}). */
    @Override
    public void apply(Config next) {
        configure(next.services().values());
    }

    private void stopForExit() {
        if (!thread.isShutdown()) {
            log.warn("the JVM is exiting with supervised programs running; stopping them");
            stopAndWait();
        }
    }

    private static FileChannel lock(Path run) {
        FileChannel channel = null;
        try {
            Files.createDirectories(run);
            channel = FileChannel.open(
                    run.resolve("supervisor.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.tryLock() == null) {
                throw new OverlappingFileLockException();
            }
            return channel;
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new IllegalStateException("another Baton is supervising the programs of " + run.getParent()
                    + " (one Baton per data directory)");
        } catch (IOException e) {
            closeQuietly(channel);
            throw new IllegalStateException("cannot lock " + run.resolve("supervisor.lock") + ": " + e.getMessage());
        }
    }

    private static void closeQuietly(@Nullable FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    private void later(Runnable r) {
        try {
            thread.execute(() -> guarded(r));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed: nothing is supervised any more
        }
    }

    private void guarded(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.error("supervisor step failed", e);
        }
        view = supervision.statuses();
        longestGrace = supervision.longestStopGrace();
        if (supervision.idle() && !waitingForIdle.isEmpty()) {
            waitingForIdle.forEach(f -> f.complete(null));
            waitingForIdle.clear();
        }
    }

    private void call(Runnable r) {
        Callable<Void> task = () -> {
            try {
                r.run();
                return null;
            } finally {
                view = supervision.statuses();
            }
        };
        try {
            thread.submit(task).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the supervisor did not answer within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /** Follows the config's services (only those with a {@code process:} are launched). */
    public void configure(Collection<ServiceConfig> services) {
        List<ServiceConfig> copy = List.copyOf(services);
        call(() -> supervision.configure(copy));
    }

    /** Starts every process with autostart, in dependency order; FAILED ones get a fresh start. */
    public void startAll() {
        call(supervision::startAll);
    }

    /** Stops every process, dependents first; completes once none is left running. */
    public CompletableFuture<Void> stopAll(String why) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        later(() -> {
            supervision.stopAll(why);
            waitingForIdle.add(done);
        });
        return done;
    }

    /**
     * An operator starts a service's processes (and its dependencies').
     * NoSuchElementException for an unknown service, IllegalArgumentException for
     * one without a process.
     */
    public void start(String service) {
        call(() -> supervision.start(service));
    }

    /** An operator stops a service's processes; exceptions as {@link #start}. */
    public void stop(String service) {
        call(() -> supervision.stop(service));
    }

    /** An operator restarts a service's processes; exceptions as {@link #start}. */
    public void restart(String service) {
        call(() -> supervision.restart(service));
    }

    /** Every supervised process by service, as of the last step. */
    public Map<String, List<ProcessStatus>> processes() {
        return view;
    }

    public Optional<List<ProcessStatus>> processes(String service) {
        return Optional.ofNullable(view.get(service));
    }

    /** The last {@code lines} lines a process wrote to stdout and stderr. */
    public static List<String> tail(ProcessStatus process, int lines) throws IOException {
        return LogTail.last(process.log(), lines);
    }

    /** Stops every process (waiting up to the longest stop-grace and a little more), then the supervising thread. */
    @Override
    public void close() {
        if (exitHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(exitHook);
            } catch (IllegalStateException e) {
                // the JVM is already exiting: the hook runs, or ran, this same stop
            }
            exitHook = null;
        }
        stopAndWait();
        thread.shutdownNow();
        closeQuietly(lock);
        lock = null;
    }

    private void stopAndWait() {
        if (thread.isShutdown()) {
            return; // closed before: nothing left to stop
        }
        long wait = longestGrace.toMillis() + 5_000;
        try {
            stopAll("Baton is stopping").get(wait, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("processes still running after {} ms: {}", wait, view);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code orchestrator_processes{state}}: the supervised processes by state, read when scraped. */
    public MeterBinder meters() {
        return registry -> {
            for (ProcessState state : ProcessState.values()) {
                Gauge.builder(
                                "orchestrator.processes",
                                this,
                                sup -> sup.processes().values().stream()
                                        .flatMap(List::stream)
                                        .filter(p -> p.state() == state)
                                        .count())
                        .description("supervised processes by state")
                        .tag("state", state.name())
                        .register(registry);
            }
        };
    }
}
