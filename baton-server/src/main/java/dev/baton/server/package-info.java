/**
 * The gateway assembled: {@link dev.baton.server.Baton}, the embeddable gateway that
 * is built once and started and stopped, with what it holds across starts ({@code
 * Base}) and what one start wires ({@code Wiring}), config reloads, the listeners,
 * orchestration, periodic tasks, signals, and {@link dev.baton.server.Main}, the
 * {@code baton} command around it. Failures to start are one {@link
 * dev.baton.server.BatonException} with a message fit to show a user.
 */
@NullMarked
package dev.baton.server;

import org.jspecify.annotations.NullMarked;
