package dev.baton.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: one JSON line per admin mutation ({@code audit.log} in the data
 * directory), saying who (subject, roles, address), what (method, path, action),
 * the state before and after in summary, and the result. Entries are built from
 * ids, counts and states, never from request bodies, so no secret reaches it.
 * Writes block on the file: call from a worker thread.
 */
public final class AuditLog {
    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    static final String FILE = "audit.log";

    private final Path file;

    public AuditLog(Path dataDir) {
        this.file = dataDir.resolve(FILE);
    }

    /** Appends one entry; a failure to write is logged, never thrown at the caller it audits. */
    public synchronized void append(JsonObject entry) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(
                    file,
                    entry.encode() + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            log.error("cannot write the audit log {}: {}", file, e.toString());
        }
    }

    /** The newest {@code limit} entries, newest first. */
    public synchronized JsonArray recent(int limit) {
        JsonArray out = new JsonArray();
        if (!Files.exists(file)) {
            return out;
        }
        Deque<String> last = new ArrayDeque<>(limit);
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            lines.forEach(l -> {
                if (last.size() == limit) {
                    last.removeFirst();
                }
                last.addLast(l);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> newestFirst = new ArrayList<>(last);
        Collections.reverse(newestFirst);
        newestFirst.forEach(l -> out.add(new JsonObject(l)));
        return out;
    }
}
