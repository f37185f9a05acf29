/**
 * Durable queues and topics on Baton's store. {@link dev.baton.queue.Queues} declares
 * them, publishes, leases, acknowledges and dead-letters messages, and delivers a
 * topic's messages to its subscriptions: pushed to a service, fanned out into a
 * queue, or kept to be pulled. {@link dev.baton.queue.Message} is what a producer
 * sends, {@link dev.baton.queue.Delivery} what a consumer receives, {@link
 * dev.baton.queue.DeadLetter} what is left of a message that failed every attempt.
 * The long polls and delivery loops are in {@code internal}.
 */
@NullMarked
package dev.baton.queue;

import org.jspecify.annotations.NullMarked;
