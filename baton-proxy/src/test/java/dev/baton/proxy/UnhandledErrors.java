package dev.baton.proxy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Collects the exceptions nothing in Baton handled: those Vert.x hands to its
 * exception handler, and those logged at WARN or above with a stack trace (Netty
 * logs a throwing future listener so, and Vert.x an exception that escaped a
 * handler). A request, however hostile, should never cause one: it is a code path
 * that lost track of an exchange.
 */
final class UnhandledErrors implements AutoCloseable {
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
            if (e.getLevel().isGreaterOrEqual(Level.WARN) && e.getThrowableProxy() != null) {
                seen.add(e.getLoggerName() + ": " + e.getFormattedMessage() + "\n" + trace(e.getThrowableProxy()));
            }
        }
    };

    UnhandledErrors(Vertx vertx) {
        vertx.exceptionHandler(t -> seen.add("unhandled in Vert.x: " + trace(t)));
        appender.setContext(root.getLoggerContext());
        appender.start();
        root.addAppender(appender);
    }

    /** How many so far: a mark for {@link #since}. */
    int count() {
        return seen.size();
    }

    /** Those collected since {@code mark}. */
    List<String> since(int mark) {
        return List.copyOf(seen.subList(mark, seen.size()));
    }

    private static String trace(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c).append('\n');
            StackTraceElement[] frames = c.getStackTrace();
            for (int i = 0; i < frames.length && i < 8; i++) {
                b.append("    at ").append(frames[i]).append('\n');
            }
        }
        return b.toString();
    }

    private static String trace(IThrowableProxy t) {
        StringBuilder b = new StringBuilder();
        for (IThrowableProxy c = t; c != null; c = c.getCause()) {
            b.append(c.getClassName()).append(": ").append(c.getMessage()).append('\n');
            var frames = c.getStackTraceElementProxyArray();
            for (int i = 0; i < frames.length && i < 8; i++) {
                b.append("    ").append(frames[i].getSTEAsString()).append('\n');
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
