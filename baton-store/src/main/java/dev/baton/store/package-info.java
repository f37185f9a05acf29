/**
 * What Baton keeps across restarts: run-time registrations and webhook dead letters,
 * in an H2 file database in the data directory, whose schema Flyway migrates.
 */
@NullMarked
package dev.baton.store;

import org.jspecify.annotations.NullMarked;
