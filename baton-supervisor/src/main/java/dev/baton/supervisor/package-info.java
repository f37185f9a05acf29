/**
 * Process supervision as the rest of Baton sees it: the {@link
 * dev.baton.supervisor.Supervisor} component, which launches the services that have
 * a {@code process:} and keeps them running, the {@link
 * dev.baton.supervisor.ProcessStatus} of each process with its {@link
 * dev.baton.supervisor.ProcessState}, the {@link dev.baton.supervisor.Launcher} that
 * starts programs, and the {@link dev.baton.supervisor.Readiness} it asks of health
 * checking. How it supervises lives in {@code internal}.
 */
@NullMarked
package dev.baton.supervisor;

import org.jspecify.annotations.NullMarked;
