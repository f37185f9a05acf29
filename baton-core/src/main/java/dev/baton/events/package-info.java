/**
 * The typed event bus: events of a fixed set of types, published by every component
 * and delivered to sinks (the admin API's stream, webhooks, the log) through filters.
 */
package dev.baton.events;
