package dev.baton.proxy.stage;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link Stage} decided about a request: go on, answer it now, or wait for
 * work it started. Immutable; {@link #next()} and {@link #pause()} are shared.
 */
public sealed interface Step {
    /** On to the next stage (or, after the last, to the upstream). */
    static Step next() {
        return Next.INSTANCE;
    }

    /**
     * The stage handed asynchronous work (a key fetch, a Redis call, reading the
     * body) to its context, whose continuation gives the next step.
     */
    static Step pause() {
        return Pause.INSTANCE;
    }

    /** Ends the request with Baton's JSON error; the security violation, when present, is counted. */
    static Respond respond(int status, String message, Optional<String> violation) {
        return new Respond(status, message, violation, List.of(), false);
    }

    /** Goes on. */
    enum Next implements Step {
        INSTANCE
    }

    /** Waits for the continuation given to {@link StageContext#await} or {@link StageContext#readBody}. */
    enum Pause implements Step {
        INSTANCE
    }

    /**
     * Answer with {@code status} and {@code message} as Baton's JSON error, adding
     * {@code headers} ({@code WWW-Authenticate}, {@code Retry-After} …). {@code close}
     * drops the connection after it even when the request's body has been read;
     * otherwise it is dropped only when a body follows that nobody read.
     */
    record Respond(
            int status,
            String message,
            Optional<String> violation,
            List<Map.Entry<String, String>> headers,
            boolean close)
            implements Step {
        public Respond {
            headers = List.copyOf(headers);
        }

        /** The same answer with one more header. */
        public Respond withHeader(String name, String value) {
            List<Map.Entry<String, String>> more = new java.util.ArrayList<>(headers);
            more.add(Map.entry(name, value));
            return new Respond(status, message, violation, more, close);
        }

        /** The same answer, closing the connection after it. */
        public Respond closing() {
            return new Respond(status, message, violation, headers, true);
        }
    }
}
