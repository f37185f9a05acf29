/** The demo behind {@code baton demo}: a config and the small services it runs. Anything in here may change without notice. */
@NullMarked
package dev.baton.server.internal;

import org.jspecify.annotations.NullMarked;
