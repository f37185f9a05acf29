/** Health of one instance: its status and the thresholds and backoff of its checks. */
@NullMarked
package dev.baton.health;

import org.jspecify.annotations.NullMarked;
