package dev.baton.saga;

/**
 * Where one step is: PENDING (not run yet, or waiting to retry), RUNNING (its call
 * is out), SUCCEEDED, FAILED, COMPENSATING (its compensation is out or waiting to
 * retry), COMPENSATED, or SKIPPED by an operator.
 */
public enum StepState {
    PENDING,
    RUNNING,
    SUCCEEDED,
    FAILED,
    COMPENSATING,
    COMPENSATED,
    SKIPPED
}
