/**
 * Sagas: transactions across services as a sequence of calls, each with the call
 * that undoes it. {@link dev.baton.saga.Sagas} starts, runs, resumes and answers for
 * them; {@link dev.baton.saga.Saga} is one saga's state as a reader sees it. The
 * engine, its log format and its HTTP calls are in {@code internal}.
 */
@NullMarked
package dev.baton.saga;

import org.jspecify.annotations.NullMarked;
