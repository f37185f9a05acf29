/**
 * How processes are supervised: launching and watching them, restart policy, pid
 * files that let a restarted Baton end programs left running, and log tails.
 * Anything in here may change without notice; the public API is
 * {@link dev.baton.supervisor.Supervisor}.
 */
package dev.baton.supervisor.internal;
