/**
 * How processes are supervised: the plan of processes a config asks for
 * ({@code ProcessPlan}), the readiness gates that say when one may start, the state
 * machine of each process's life ({@code ProcessMachine}) with its restart policy,
 * the reconcile loop that acts on them ({@code Supervision}), launching and watching
 * real programs, pid files that let a restarted Baton end programs left running, and
 * log tails. Anything in here may change without notice; the public API is
 * {@link dev.baton.supervisor.Supervisor}.
 */
@NullMarked
package dev.baton.supervisor.internal;

import org.jspecify.annotations.NullMarked;
