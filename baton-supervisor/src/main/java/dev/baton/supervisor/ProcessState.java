package dev.baton.supervisor;

/**
 * Where a supervised process is in its life: launched and not yet
 * ready ({@code STARTING}), ready ({@code RUNNING}: up, and healthy when it has a
 * health check), waiting to be restarted ({@code BACKOFF}), asked to end and not yet
 * gone ({@code STOPPING}), not running ({@code STOPPED}, also while it waits for its
 * dependencies), or given up after too many restarts ({@code FAILED}).
 */
public enum ProcessState {
    STARTING,
    RUNNING,
    BACKOFF,
    STOPPING,
    STOPPED,
    FAILED;

    /** Whether a program may be running in this state. */
    public boolean alive() {
        return this == STARTING || this == RUNNING || this == STOPPING;
    }
}
