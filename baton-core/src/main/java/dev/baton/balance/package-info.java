/**
 * Load balancing over a service's instances: the balancers (weighted round-robin,
 * least connections, power of two choices, consistent hash, sticky), the live state of
 * one instance ({@link dev.baton.balance.Endpoint}) and outlier detection.
 */
@NullMarked
package dev.baton.balance;

import org.jspecify.annotations.NullMarked;
