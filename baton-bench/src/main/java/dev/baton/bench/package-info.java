/**
 * JMH benchmarks of the hot paths measured in isolation: route matching, balancing,
 * header copying, the resilience primitives and the observers. Run them as
 * CONTRIBUTING.md describes; their figures are ratios within one run, never absolutes.
 */
@NullMarked
package dev.baton.bench;

import org.jspecify.annotations.NullMarked;
