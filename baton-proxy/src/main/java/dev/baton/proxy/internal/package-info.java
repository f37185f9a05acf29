/** Implementation of the data plane. Anything in here may change without notice. */
@NullMarked
package dev.baton.proxy.internal;

import org.jspecify.annotations.NullMarked;
