package dev.baton.control.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the watcher calls back for. The tests poll by hand instead of starting its
 * thread (one test starts it), so they wait for no poll interval.
 */
class FileWatcherTest {
    /**
     * Enough polls for any change to be seen, or known not to be one: a change shows
     * after two, and an edit the modification time is too coarse to show after the
     * periodic hash.
     */
    static final int ENOUGH = FileWatcher.RECHECK_POLLS + 2;

    @TempDir
    Path dir;

    final AtomicInteger calls = new AtomicInteger();

    /** A watcher of {@code config} that has taken its first look. */
    private FileWatcher watching(Path config) {
        FileWatcher w = FileWatcher.file(config, calls::incrementAndGet);
        w.begin();
        return w;
    }

    private static void poll(FileWatcher w, int times) {
        for (int i = 0; i < times; i++) {
            w.poll();
        }
    }

    @Test
    void filesWrittenNextToTheConfigAreIgnoredAndItsOwnChangesAreNot() throws Exception {
        Path config = Files.writeString(dir.resolve("baton.yaml"), "a: 1\n");
        try (FileWatcher w = watching(config)) {
            for (int i = 0; i < 20; i++) {
                Files.writeString(dir.resolve("access.log"), "line " + i + "\n");
                w.poll();
            }
            poll(w, ENOUGH);
            assertThat(calls).hasValue(0);
            Files.writeString(config, "a: 2\n");
            poll(w, ENOUGH);
            assertThat(calls).hasValue(1);
        }
    }

    @Test
    void aChangeIsReadOnlyOnceItHasSettledForAPoll() throws Exception {
        Path config = Files.writeString(dir.resolve("baton.yaml"), "a: 1\n");
        try (FileWatcher w = watching(config)) {
            Files.writeString(config, "a: 1, b: 2\n"); // another size: seen at once
            w.poll();
            assertThat(calls).as("changed, not yet settled").hasValue(0);
            w.poll();
            assertThat(calls).hasValue(1);
        }
    }

    @Test
    void touchingTheFileIsNotAChangeAndAnEditOfTheSameSizeIs() throws Exception {
        Path config = Files.writeString(dir.resolve("baton.yaml"), "a: 1\n");
        try (FileWatcher w = watching(config)) {
            Files.setLastModifiedTime(config, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
            poll(w, ENOUGH);
            assertThat(calls).hasValue(0);
            Files.writeString(config, "a: 2\n");
            poll(w, ENOUGH);
            assertThat(calls).hasValue(1);
        }
    }

    @Test
    void aFileDeletedAndWrittenAgainIsOneChangeOnceItIsBack() throws Exception {
        Path config = Files.writeString(dir.resolve("baton.yaml"), "a: 1\n");
        try (FileWatcher w = watching(config)) {
            Files.delete(config);
            poll(w, ENOUGH);
            assertThat(calls).hasValue(0);
            Files.writeString(config, "a: 3\n");
            poll(w, ENOUGH);
            assertThat(calls).hasValue(1);
            poll(w, ENOUGH);
            assertThat(calls).hasValue(1);
        }
    }

    @Test
    void aKubernetesConfigMapSwapIsSeen() throws Exception {
        // A ConfigMap volume: the file is a symlink through ..data, which is swapped atomically.
        Path v1 = Files.createDirectory(dir.resolve("..2026_11_23_v1"));
        Files.writeString(v1.resolve("baton.yaml"), "a: 1\n");
        Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Path config = Files.createSymbolicLink(dir.resolve("baton.yaml"), Path.of("..data/baton.yaml"));
        try (FileWatcher w = watching(config)) {
            Path v2 = Files.createDirectory(dir.resolve("..2026_11_23_v2"));
            Files.writeString(v2.resolve("baton.yaml"), "a: 2\n");
            Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
            Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            poll(w, ENOUGH);
            assertThat(calls).hasValue(1);
        }
    }

    @Test
    void aDirectoryOfDiscoveryFilesIsWatchedByName() throws Exception {
        try (FileWatcher w = FileWatcher.directory(dir, DiscoveryFiles::isDiscoveryFile, calls::incrementAndGet)) {
            w.begin();
            Files.writeString(dir.resolve("notes.txt"), "x");
            Files.writeString(dir.resolve(".hidden.yaml"), "x");
            poll(w, ENOUGH);
            assertThat(calls).hasValue(0);
            Files.writeString(dir.resolve("team.yaml"), "x: {}\n");
            poll(w, ENOUGH);
            assertThat(calls).hasValue(1);
            Files.delete(dir.resolve("team.yaml"));
            poll(w, ENOUGH);
            assertThat(calls).hasValue(2);
        }
    }

    @Test
    void onceStartedItPollsOnItsOwnThread() throws Exception {
        Path config = Files.writeString(dir.resolve("baton.yaml"), "a: 1\n");
        try (FileWatcher w = FileWatcher.file(config, calls::incrementAndGet)) {
            w.start();
            Files.writeString(config, "a: 1, b: 2\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);
        }
    }
}
