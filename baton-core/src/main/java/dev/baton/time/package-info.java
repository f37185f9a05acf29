/** Time as a seam: tickers for elapsed time, beside {@link java.time.Clock} for wall-clock time. */
@NullMarked
package dev.baton.time;

import org.jspecify.annotations.NullMarked;
