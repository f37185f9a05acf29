package dev.baton.server;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a graceful shutdown on SIGTERM or SIGINT. A JVM shutdown hook alone would make
 * the process exit 143 on SIGTERM; handling the signal lets a drained shutdown
 * exit 0, as process managers expect.
 */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {}

    static void onTermination(Runnable shutdown) {
        AtomicBoolean once = new AtomicBoolean();
        Runnable guarded = () -> {
            if (once.compareAndSet(false, true)) {
                log.info("shutting down: draining requests in flight");
                shutdown.run();
            }
        };
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> new Thread(guarded, "baton-shutdown").start());
            } catch (IllegalArgumentException e) {
                log.debug("cannot handle SIG{}: {}", name, e.toString());
            }
        }
    }
}
