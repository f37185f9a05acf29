package dev.baton.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.supervisor.Launcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real programs: output into the rotated log, pid files, signals to the whole family, leftovers after a crash. */
class OsLauncherTest {
    @TempDir
    Path dir;

    Process stray;

    @AfterEach
    void noStrays() {
        if (stray != null) {
            stray.destroyForcibly();
        }
    }

    Launcher.Spec spec(String id, String script) {
        return direct(id, "/bin/sh", "-c", script);
    }

    Launcher.Spec direct(String id, String... command) {
        return new Launcher.Spec(
                "svc/" + id,
                List.of(command),
                Map.of("GREETING", "hello"),
                Optional.of(dir.toFile().toPath()),
                dir.resolve("logs").resolve(id + ".log"),
                1024 * 1024,
                2);
    }

    @Test
    void writesStdoutAndStderrToItsLogAndReportsTheExitCode() throws Exception {
        PidFiles pids = new PidFiles(dir.resolve("run"));
        Launcher.Child c = new OsLauncher(pids)
                .launch(spec("a", "echo \"$GREETING from $(pwd)\"; echo oops >&2; printf 'no newline'; exit 3"));
        assertThat(c.exit().get(10, TimeUnit.SECONDS)).isEqualTo(3);
        List<String> lines = LogTail.last(dir.resolve("logs/a.log"), 10);
        assertThat(lines).containsExactlyInAnyOrder("hello from " + dir.toRealPath(), "oops", "no newline");
        assertThat(LogTail.last(dir.resolve("logs/a.log"), 1)).hasSize(1);
        assertThat(dir.resolve("run/svc/a.pid")).doesNotExist(); // removed once it exited
    }

    @Test
    void terminateEndsTheProgramAndWhatItStarted() throws Exception {
        PidFiles pids = new PidFiles(dir.resolve("run"));
        Launcher.Child c = new OsLauncher(pids).launch(spec("b", "sleep 300 & sleep 300 & wait"));
        assertThat(dir.resolve("run/svc/b.pid")).exists();
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        ProcessHandle.of(c.pid()).orElseThrow().descendants().count() == 2);
        List<ProcessHandle> kids =
                ProcessHandle.of(c.pid()).orElseThrow().descendants().toList();
        c.terminate();
        assertThat(c.exit().get(10, TimeUnit.SECONDS)).isEqualTo(143);
        await().atMost(Duration.ofSeconds(10)).until(() -> kids.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void aShellWrapperThatExecsIsRecordedAgainOnceReadySoItsLeftoverIsKnown() throws Exception {
        Path run = dir.resolve("run");
        Launcher.Child c = new OsLauncher(new PidFiles(run)).launch(spec("wrapped", "exec sleep 300"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(c.pid())
                        .flatMap(h -> h.info().command())
                        .filter(x -> x.endsWith("sleep"))
                        .isPresent());
        c.ready();
        assertThat(Files.readString(run.resolve("svc/wrapped.pid"))).contains("sleep");
        assertThat(new PidFiles(run).cleanUp(Duration.ofSeconds(5))).isEqualTo(1);
        assertThat(c.exit().get(10, TimeUnit.SECONDS)).isEqualTo(143);
    }

    @Test
    void aProgramThatCannotStartIsAnIOException() {
        Launcher.Spec s = new Launcher.Spec(
                "svc/c", List.of("/no/such/program"), Map.of(), Optional.empty(), dir.resolve("c.log"), 1024, 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new OsLauncher(new PidFiles(dir.resolve("run"))).launch(s))
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void cleanUpEndsWhatADeadBatonLeftButNeverAnUnrelatedProcess() throws Exception {
        // A program "left behind": launched, then its launcher forgotten (as if Baton was killed).
        Path run = dir.resolve("run");
        Launcher.Child left = new OsLauncher(new PidFiles(run)).launch(direct("left", "sleep", "300"));
        assertThat(run.resolve("svc/left.pid")).exists();

        // A pid file whose pid now belongs to something else.
        stray = new ProcessBuilder("sleep", "300").start();
        Files.writeString(
                run.resolve("svc/recycled.pid"),
                "pid=" + stray.pid()
                        + "\nexecutable=/usr/bin/java\nstarted=2020-01-01T00:00:00Z\ncommand=java -jar x\n");

        // Same executable and start time, other arguments: not what was recorded, so not ours.
        Launcher.Child other = new OsLauncher(new PidFiles(run)).launch(direct("other", "sleep", "299"));
        Path otherPid = run.resolve("svc/other.pid");
        Files.writeString(otherPid, Files.readString(otherPid).replace("arguments=299", "arguments=301"));

        int ended = new PidFiles(run).cleanUp(Duration.ofSeconds(5));
        assertThat(ended).isEqualTo(1);
        assertThat(ProcessHandle.of(other.pid()).map(ProcessHandle::isAlive).orElse(false))
                .isTrue();
        other.kill();

        assertThat(left.exit().get(10, TimeUnit.SECONDS)).isEqualTo(143);
        assertThat(stray.isAlive()).isTrue();
        assertThat(other.exit().get(10, TimeUnit.SECONDS)).isEqualTo(137);
        assertThat(run.resolve("svc/recycled.pid")).doesNotExist();
    }

    @Test
    void logsRotateByLinesAndTheTailReadsAcrossFiles() throws Exception {
        Launcher.Spec s = new Launcher.Spec(
                "svc/d",
                List.of("/bin/sh", "-c", "i=0; while [ $i -lt 400 ]; do echo line-$i; i=$((i+1)); done"),
                Map.of(),
                Optional.empty(),
                dir.resolve("d.log"),
                1024,
                2);
        Launcher.Child c = new OsLauncher(new PidFiles(dir.resolve("run"))).launch(s);
        assertThat(c.exit().get(10, TimeUnit.SECONDS)).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(dir.resolve("d.log.2")));
        assertThat(Files.size(dir.resolve("d.log"))).isLessThanOrEqualTo(1024);
        List<String> tail = LogTail.last(dir.resolve("d.log"), 150);
        assertThat(tail).hasSizeGreaterThan(100).endsWith("line-398", "line-399");
        for (int i = 1; i < tail.size(); i++) {
            int a = Integer.parseInt(tail.get(i - 1).substring(5));
            assertThat(Integer.parseInt(tail.get(i).substring(5))).isEqualTo(a + 1);
        }
    }
}
