package dev.baton.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Sends hand-written bytes over a plain socket and reads whatever comes back until
 * the peer closes or goes quiet: for requests no well-behaved client would send
 * (smuggling attempts, malformed lines).
 */
public final class RawHttp {
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] \\d{3} ");

    private RawHttp() {}

    /** The result of one exchange: the bytes received and whether the server closed. */
    public record Result(String text, boolean closedByServer) {
        public int status() {
            if (!text.startsWith("HTTP/1.")) {
                return -1;
            }
            return Integer.parseInt(text.substring(9, 12));
        }

        /** How many responses arrived on the connection (status lines; bodies need not end in a newline). */
        public int responses() {
            return (int) STATUS_LINE.matcher(text).results().count();
        }
    }

    /**
     * Sends {@code request} and reads until the peer closes or, once something has
     * arrived, goes quiet for {@code quietMillis}. The first byte is awaited longer (at
     * least 5 s), so a slow machine delays the answer instead of losing it.
     */
    public static Result send(int port, String request, int quietMillis) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(Math.max(quietMillis, 5000));
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            boolean closed = false;
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    socket.setSoTimeout(quietMillis);
                }
                closed = true;
            } catch (SocketTimeoutException e) {
                // quiet: the connection is still open
            } catch (IOException e) {
                closed = true; // reset
            }
            return new Result(out.toString(StandardCharsets.ISO_8859_1), closed);
        }
    }
}
