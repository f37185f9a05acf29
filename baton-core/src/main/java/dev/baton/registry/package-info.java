/**
 * The service registry: instances from the config, discovery files and run-time
 * registrations, each with its source and, for registrations, a lease.
 */
package dev.baton.registry;
