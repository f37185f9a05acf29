/** Time as a seam: tickers for elapsed time, beside {@link java.time.Clock} for wall-clock time. */
package dev.baton.time;
