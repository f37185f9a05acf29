package dev.baton.supervisor.internal;

import dev.baton.config.ProcessConfig;
import dev.baton.supervisor.Launcher;
import java.util.Optional;

/**
 * One process the config asks for: the service it serves (and the instance, for a
 * process per instance), its settings and what to launch. Two equal ones describe
 * the same program, so a reload that leaves one equal leaves its process running.
 */
record PlannedProcess(String service, Optional<String> instance, ProcessConfig config, Launcher.Spec spec) {

    /** The process's id in statuses: the instance id, or the service id for one process per service. */
    String id() {
        return instance.orElse(service);
    }

    /** Unique among a config's processes. */
    String key() {
        return service + "/" + id();
    }

    /** How logs name it: the service, or service/instance for a process per instance. */
    @Override
    public String toString() {
        return instance.map(i -> service + "/" + i).orElse(service);
    }
}
