package dev.baton.logs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An append-only file that rolls over by size, as logrotate's {@code size} with
 * {@code rotate N}: past {@code maxSize} bytes, {@code name} becomes {@code name.1},
 * {@code name.1} becomes {@code name.2} and so on, keeping {@code maxFiles} old
 * files. Writes whole records only: a record is never split across two files.
 * Not thread-safe: one writer owns it.
 */
public final class RotatingFile implements AutoCloseable {
    private final Path file;
    private final long maxSize;
    private final int maxFiles;
    private OutputStream out;
    private long size;

    public RotatingFile(Path file, long maxSize, int maxFiles) throws IOException {
        this.file = file;
        this.maxSize = maxSize;
        this.maxFiles = maxFiles;
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        open();
    }

    private void open() throws IOException {
        // Small records (a process's lines) are gathered; bulk ones (the access log's
        // 60 KB blocks) are larger than the buffer and go to the file without a copy.
        out = new java.io.BufferedOutputStream(
                Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND), 8 * 1024);
        size = Files.size(file);
    }

    public Path path() {
        return file;
    }

    /** Appends one record, rolling over first when it would take the file past its size. */
    public void write(byte[] record, int length) throws IOException {
        if (size > 0 && size + length > maxSize) {
            rotate();
        }
        out.write(record, 0, length);
        size += length;
    }

    /**
     * Appends whole lines ({@code \n}-terminated): at once when they fit, else line
     * by line so the file rolls over between two of them.
     */
    public void writeLines(byte[] lines, int length) throws IOException {
        if (size + length <= maxSize) {
            out.write(lines, 0, length);
            size += length;
            return;
        }
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (lines[i] == '\n') {
                write(java.util.Arrays.copyOfRange(lines, start, i + 1), i + 1 - start);
                start = i + 1;
            }
        }
        if (start < length) {
            write(java.util.Arrays.copyOfRange(lines, start, length), length - start);
        }
    }

    public void flush() throws IOException {
        out.flush();
    }

    private void rotate() throws IOException {
        out.close();
        if (maxFiles == 0) {
            Files.deleteIfExists(file);
        } else {
            Files.deleteIfExists(sibling(maxFiles));
            for (int i = maxFiles - 1; i >= 1; i--) {
                if (Files.exists(sibling(i))) {
                    Files.move(sibling(i), sibling(i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(file, sibling(1), StandardCopyOption.REPLACE_EXISTING);
        }
        open();
    }

    private Path sibling(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
