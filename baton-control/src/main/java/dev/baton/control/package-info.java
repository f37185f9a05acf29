/**
 * The control plane: what turns config, registrations and health observations into
 * the {@link dev.baton.control.Snapshot} the data plane runs on. A snapshot is
 * immutable and swapped whole; the runtime state it carries per route and service
 * (breakers, balancers, outlier detectors) is carried over from the previous one
 * when its config did not change.
 */
@NullMarked
package dev.baton.control;

import org.jspecify.annotations.NullMarked;
