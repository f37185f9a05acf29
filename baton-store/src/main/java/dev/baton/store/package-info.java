/**
 * What Baton keeps across restarts: run-time registrations and routes, and webhook
 * dead letters, in an H2 file database in the data directory or in a PostgreSQL
 * database that several Batons may share, with one schema that Flyway migrates.
 */
@NullMarked
package dev.baton.store;

import org.jspecify.annotations.NullMarked;
