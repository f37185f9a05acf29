package dev.baton.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Instants to and from the {@code TIMESTAMP WITH TIME ZONE} columns, as {@link
 * OffsetDateTime} in UTC, which both drivers take and give as it is. Not {@code
 * java.sql.Timestamp}: H2 reads one through the JVM's time zone, so in the hour
 * that a change from daylight saving repeats, two instants an hour apart were kept
 * as the same one.
 */
final class Times {
    private Times() {}

    static OffsetDateTime utc(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}
