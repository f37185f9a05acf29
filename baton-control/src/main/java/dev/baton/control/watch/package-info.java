/** Watching files for the control plane: discovery files, and certificates to reload. */
@NullMarked
package dev.baton.control.watch;

import org.jspecify.annotations.NullMarked;
