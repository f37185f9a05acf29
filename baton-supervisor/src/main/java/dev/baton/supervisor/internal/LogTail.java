package dev.baton.supervisor.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** The last lines of a rotated log: read backwards from the end, into the previous file when one is not enough. */
public final class LogTail {
    private static final int CHUNK = 64 * 1024;
    /** At most this much of one file is read for one answer. */
    private static final long MAX_BYTES = 8L * 1024 * 1024;

    private LogTail() {}

    public static List<String> last(Path log, int lines) throws IOException {
        Deque<String> out = new ArrayDeque<>();
        Path older = log.resolveSibling(log.getFileName() + ".1");
        for (Path f : List.of(log, older)) {
            if (out.size() >= lines || !Files.exists(f)) {
                continue;
            }
            List<String> got = lastOf(f, lines - out.size());
            for (int i = got.size() - 1; i >= 0; i--) {
                out.addFirst(got.get(i));
            }
        }
        return new ArrayList<>(out);
    }

    private static List<String> lastOf(Path f, int lines) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
            long end = raf.length();
            long start = end;
            int newlines = 0;
            byte[] buf = new byte[CHUNK];
            // Find where the last `lines` lines begin; a final newline ends a line rather than starting one.
            long scanEnd = end > 0 ? end - 1 : 0;
            outer:
            while (start > 0) {
                long from = Math.max(0, start - CHUNK);
                int n = (int) (start - from);
                raf.seek(from);
                raf.readFully(buf, 0, n);
                for (int i = n - 1; i >= 0; i--) {
                    if (from + i < scanEnd && buf[i] == '\n' && ++newlines == lines) {
                        start = from + i + 1;
                        break outer;
                    }
                }
                start = from;
                if (end - start >= MAX_BYTES) {
                    break; // enough to answer with; the first line may be cut
                }
            }
            byte[] text = new byte[(int) (end - start)];
            raf.seek(start);
            raf.readFully(text);
            String s = new String(text, StandardCharsets.UTF_8);
            if (s.isEmpty()) {
                return List.of();
            }
            String[] parts = s.split("\n", -1);
            return List.of(parts).subList(0, s.endsWith("\n") ? parts.length - 1 : parts.length);
        }
    }
}
