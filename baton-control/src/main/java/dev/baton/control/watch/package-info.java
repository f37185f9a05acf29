/** Watching files for the control plane: discovery files, and certificates to reload. */
package dev.baton.control.watch;
