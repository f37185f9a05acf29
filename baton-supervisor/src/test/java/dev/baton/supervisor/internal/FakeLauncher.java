package dev.baton.supervisor.internal;

import dev.baton.supervisor.Launcher;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Programs that run until the test says they exit. */
final class FakeLauncher implements Launcher {
    final List<String> launched = new ArrayList<>();
    final List<Spec> specs = new ArrayList<>();
    final List<String> terminated = new ArrayList<>();
    final List<String> killed = new ArrayList<>();
    final Map<String, FakeChild> running = new HashMap<>();
    boolean refuse;
    long pids = 1000;

    @Override
    public Child launch(Spec spec) throws IOException {
        if (refuse) {
            throw new IOException("no such file");
        }
        String name = spec.id().substring(spec.id().indexOf('/') + 1);
        launched.add(name);
        specs.add(spec);
        FakeChild c = new FakeChild(name, ++pids);
        running.put(name, c);
        return c;
    }

    void exit(String name, int code) {
        running.remove(name).exit.complete(code);
    }

    final class FakeChild implements Child {
        final String name;
        final long pid;
        final CompletableFuture<Integer> exit = new CompletableFuture<>();

        FakeChild(String name, long pid) {
            this.name = name;
            this.pid = pid;
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public CompletableFuture<Integer> exit() {
            return exit;
        }

        @Override
        public void terminate() {
            terminated.add(name);
        }

        @Override
        public void kill() {
            killed.add(name);
        }
    }
}
