package dev.baton.supervisor.internal;

import dev.baton.config.ProcessConfig;
import dev.baton.config.ServiceConfig;
import dev.baton.supervisor.Launcher;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What to launch for one process: placeholders filled in, the environment it is told, where its output goes. */
final class Specs {
    private Specs() {}

    static Launcher.Spec of(
            Path dataDir, ServiceConfig s, ProcessConfig p, ServiceConfig.Instance target, Optional<String> instance) {
        int port = target.url().getPort() > 0
                ? target.url().getPort()
                : "https".equalsIgnoreCase(target.url().getScheme()) ? 443 : 80;
        Map<String, String> values = Map.of(
                "{port}", Integer.toString(port),
                "{host}", target.url().getHost(),
                "{instance}", target.id(),
                "{service}", s.id());
        List<String> command = p.command().stream().map(a -> fill(a, values)).toList();
        Map<String, String> env = new LinkedHashMap<>();
        // Twelve-factor style, so a program can find its address without arguments.
        env.put("PORT", Integer.toString(port));
        env.put("BATON_SERVICE", s.id());
        env.put("BATON_INSTANCE", target.id());
        p.env().forEach((k, v) -> env.put(k, fill(v, values)));
        String id = instance.orElse(s.id());
        return new Launcher.Spec(
                s.id() + "/" + id,
                command,
                env,
                p.workingDir(),
                dataDir.resolve("logs").resolve(s.id()).resolve(id + ".log"),
                p.logMaxSize(),
                p.logFiles());
    }

    private static String fill(String text, Map<String, String> values) {
        String out = text;
        for (Map.Entry<String, String> e : values.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }
}
