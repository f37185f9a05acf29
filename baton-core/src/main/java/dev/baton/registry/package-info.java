/**
 * The service registry: instances from the config, discovery files and run-time
 * registrations, each with its source and, for registrations, a lease.
 */
@NullMarked
package dev.baton.registry;

import org.jspecify.annotations.NullMarked;
