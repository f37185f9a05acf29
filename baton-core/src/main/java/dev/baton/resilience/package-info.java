/**
 * The resilience primitives, free of I/O: circuit breakers, bulkheads, the retry
 * budget, token buckets for rate limits, the outcome of a call, and the one backoff
 * formula used for retries, webhooks, restarts and health checks.
 */
@NullMarked
package dev.baton.resilience;

import org.jspecify.annotations.NullMarked;
