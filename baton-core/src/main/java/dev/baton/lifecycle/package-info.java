/**
 * One lifecycle for every component: {@link dev.baton.lifecycle.Component} (start,
 * apply a new snapshot, close) and {@link dev.baton.lifecycle.Lifecycle}, which
 * starts components in order and closes them in reverse, also after a partial start.
 */
@NullMarked
package dev.baton.lifecycle;

import org.jspecify.annotations.NullMarked;
