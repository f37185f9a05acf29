/**
 * The resilience primitives, free of I/O: circuit breakers, bulkheads, the retry
 * budget, token buckets for rate limits, the outcome of a call, and the one backoff
 * formula used for retries, webhooks, restarts and health checks.
 */
package dev.baton.resilience;
