package dev.baton.saga;

/**
 * Where a saga is: RUNNING its steps forward, COMPENSATING the completed ones in
 * reverse, or ended: COMPLETED (every step succeeded), COMPENSATED (a step failed or
 * the saga timed out, and every completed step was undone), CANCELLED (an operator
 * cancelled it and it was undone). STUCK waits for an operator: a compensation, or
 * a step past the pivot, failed until its deadline.
 */
public enum SagaState {
    RUNNING,
    COMPENSATING,
    COMPLETED,
    COMPENSATED,
    STUCK,
    CANCELLED;

    /** Whether nothing more will happen to it on its own or by an operator. */
    public boolean ended() {
        return this == COMPLETED || this == COMPENSATED || this == CANCELLED;
    }
}
