/**
 * Load balancing over a service's instances: the balancers (weighted round-robin,
 * least connections, power of two choices, consistent hash, sticky), the live state of
 * one instance ({@link dev.baton.balance.Endpoint}) and outlier detection.
 */
package dev.baton.balance;
