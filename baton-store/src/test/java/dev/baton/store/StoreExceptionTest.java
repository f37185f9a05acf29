package dev.baton.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class StoreExceptionTest {
    @Test
    void whyIsTheDeepestCauseThatSaysAnything() {
        // A pool's timeout over the driver's advice over the refusal: the refusal.
        assertThat(StoreException.why(new SQLTransientConnectionException(
                        "baton-store - Connection is not available, request timed out after 5000ms.",
                        new SQLException(
                                "Connection to 127.0.0.1:5432 refused. Check that the hostname and port are correct",
                                new ConnectException("Connection refused")))))
                .isEqualTo("Connection refused");
        // A connection broken under the driver: EOFException says nothing, the driver does.
        assertThat(StoreException.why(
                        new SQLException("An I/O error occurred while sending to the backend.", new EOFException())))
                .isEqualTo("An I/O error occurred while sending to the backend.");
        assertThat(StoreException.why(new SQLException("x", new UnknownHostException("db.internal"))))
                .isEqualTo("unknown host db.internal");
        assertThat(StoreException.why(new SQLException("Table \"X\" not found;\nSQL statement: SELECT 1")))
                .isEqualTo("Table \"X\" not found;");
        assertThat(StoreException.why(new IllegalStateException(new EOFException())))
                .isEqualTo("java.io.EOFException"); // the wrapper's message is its cause's toString
        assertThat(StoreException.why(new EOFException())).isEqualTo("EOFException");
    }
}
