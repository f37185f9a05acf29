/** Health of one instance: its status and the thresholds and backoff of its checks. */
package dev.baton.health;
