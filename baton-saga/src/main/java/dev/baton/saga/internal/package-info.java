/**
 * The saga engine: the state machine that drives each saga a step at a time, the
 * JSON form of a saga's state that the store keeps, and the calls to services.
 */
@NullMarked
package dev.baton.saga.internal;

import org.jspecify.annotations.NullMarked;
