/**
 * How the config is read: the YAML tree with line numbers, one reader per section,
 * and the {@code file:line: key: message} problems they collect (with a "did you
 * mean" for misspelt keys). Anything in here may change without notice; the public
 * API is {@link dev.baton.config.ConfigLoader} and the config records.
 */
@NullMarked
package dev.baton.config.internal;

import org.jspecify.annotations.NullMarked;
