/**
 * The queues' moving parts: receives that wait for a message, the loops that hand
 * messages to consumers and push them to services, and the JSON of headers.
 */
@NullMarked
package dev.baton.queue.internal;

import org.jspecify.annotations.NullMarked;
