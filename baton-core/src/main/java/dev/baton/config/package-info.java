/**
 * The configuration as immutable records, and {@link dev.baton.config.ConfigLoader},
 * which reads YAML into them and reports every problem at once as {@code
 * file:line: key: message}. Durations and sizes are parsed by {@link
 * dev.baton.config.Durations} and {@link dev.baton.config.Sizes}.
 */
@NullMarked
package dev.baton.config;

import org.jspecify.annotations.NullMarked;
