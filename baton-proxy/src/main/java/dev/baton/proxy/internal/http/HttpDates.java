package dev.baton.proxy.internal.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The {@code Date} header's value (RFC 9110 §6.6.1, IMF-fixdate), formatted once a
 * second rather than once a response. One per event loop, so it needs no lock.
 */
public final class HttpDates {
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    private final LongSupplier millis;
    private long second = Long.MIN_VALUE;
    private String value = ""; // of second; made on the first call, as second matches nothing

    public HttpDates(LongSupplier millis) {
        this.millis = millis;
    }

    /** Now, as a Date header value. */
    public String now() {
        long s = Math.floorDiv(millis.getAsLong(), 1000);
        if (s != second) {
            value = IMF_FIXDATE.format(Instant.ofEpochSecond(s));
            second = s;
        }
        return value;
    }
}
