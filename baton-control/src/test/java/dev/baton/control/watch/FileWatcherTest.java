package dev.baton.control.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileWatcherTest {
    @TempDir
    Path dir;

    final AtomicInteger calls = new AtomicInteger();

    @Test
    void filesWrittenNextToTheConfigAreIgnoredAndItsOwnChangesAreNot() throws Exception {
        Path config = Files.writeString(dir.resolve("baton.yaml"), "a: 1\n");
        try (FileWatcher w = FileWatcher.file(config, calls::incrementAndGet)) {
            w.start();
            for (int i = 0; i < 20; i++) {
                Files.writeString(dir.resolve("access.log"), "line " + i + "\n");
                Thread.sleep(30);
            }
            Thread.sleep(5 * FileWatcher.POLL_MILLIS);
            assertThat(calls).hasValue(0);
            Files.writeString(config, "a: 2\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);
        }
    }

    @Test
    void touchingTheFileIsNotAChangeAndAnEditOfTheSameSizeIs() throws Exception {
        Path config = Files.writeString(dir.resolve("baton.yaml"), "a: 1\n");
        try (FileWatcher w = FileWatcher.file(config, calls::incrementAndGet)) {
            w.start();
            Files.setLastModifiedTime(
                    config, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
            Thread.sleep(5 * FileWatcher.POLL_MILLIS);
            assertThat(calls).hasValue(0);
            Files.writeString(config, "a: 2\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);
        }
    }

    @Test
    void aFileDeletedAndWrittenAgainIsOneChangeOnceItIsBack() throws Exception {
        Path config = Files.writeString(dir.resolve("baton.yaml"), "a: 1\n");
        try (FileWatcher w = FileWatcher.file(config, calls::incrementAndGet)) {
            w.start();
            Files.delete(config);
            Thread.sleep(5 * FileWatcher.POLL_MILLIS);
            assertThat(calls).hasValue(0);
            Files.writeString(config, "a: 3\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);
            Thread.sleep(5 * FileWatcher.POLL_MILLIS);
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
        try (FileWatcher w = FileWatcher.file(config, calls::incrementAndGet)) {
            w.start();
            Path v2 = Files.createDirectory(dir.resolve("..2026_11_23_v2"));
            Files.writeString(v2.resolve("baton.yaml"), "a: 2\n");
            Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
            Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);
        }
    }

    @Test
    void aDirectoryOfDiscoveryFilesIsWatchedByName() throws Exception {
        try (FileWatcher w = FileWatcher.directory(dir, DiscoveryFiles::isDiscoveryFile, calls::incrementAndGet)) {
            w.start();
            Files.writeString(dir.resolve("notes.txt"), "x");
            Files.writeString(dir.resolve(".hidden.yaml"), "x");
            Thread.sleep(5 * FileWatcher.POLL_MILLIS);
            assertThat(calls).hasValue(0);
            Files.writeString(dir.resolve("team.yaml"), "x: {}\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);
            Files.delete(dir.resolve("team.yaml"));
            await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 2);
        }
    }
}
