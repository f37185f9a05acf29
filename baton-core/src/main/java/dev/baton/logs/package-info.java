/** Log files Baton writes itself (the access log, process output), rotated by size. */
package dev.baton.logs;
