/** Log files Baton writes itself (the access log, process output), rotated by size. */
@NullMarked
package dev.baton.logs;

import org.jspecify.annotations.NullMarked;
