/**
 * The typed event bus: events of a fixed set of types, published by every component
 * and delivered to sinks (the admin API's stream, webhooks, the log) through filters.
 */
@NullMarked
package dev.baton.events;

import org.jspecify.annotations.NullMarked;
