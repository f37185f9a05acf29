package dev.baton.testing;

import static dev.baton.testing.RawH2Frames.u32;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.handler.codec.http2.Http2Exception;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/**
 * A raw-frame HTTP/2 client for hostile tests: h2c with prior knowledge (or TLS with
 * ALPN {@code h2}) to 127.0.0.1, where the test writes every frame itself and header
 * blocks go out byte for byte, so it can send what no client library would (uppercase
 * names, CR/LF/NUL in values, pseudo-headers missing, repeated or out of order, floods).
 * Writes are queued and a daemon writer thread puts them on the socket, so sending never
 * blocks a test even when the server stops reading; a daemon reader thread parses what
 * comes back, decodes header blocks with Netty's HPACK decoder (validation off, to see
 * what the server really sent), answers PING and SETTINGS, and opens flow-control windows
 * for received DATA. Every wait takes a timeout.
 */
public final class RawH2 implements AutoCloseable {
    // Frame types, RFC 9113 section 6.
    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int PRIORITY = 0x2;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PUSH_PROMISE = 0x5;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    public static final int WINDOW_UPDATE = 0x8;
    public static final int CONTINUATION = 0x9;
    // Flags.
    public static final int FLAG_END_STREAM = 0x1;
    public static final int FLAG_ACK = 0x1;
    public static final int FLAG_END_HEADERS = 0x4;
    public static final int FLAG_PADDED = 0x8;
    public static final int FLAG_PRIORITY = 0x20;
    // Error codes, RFC 9113 section 7.
    public static final long NO_ERROR = 0x0;
    public static final long PROTOCOL_ERROR = 0x1;
    public static final long INTERNAL_ERROR = 0x2;
    public static final long FLOW_CONTROL_ERROR = 0x3;
    public static final long SETTINGS_TIMEOUT = 0x4;
    public static final long STREAM_CLOSED = 0x5;
    public static final long FRAME_SIZE_ERROR = 0x6;
    public static final long REFUSED_STREAM = 0x7;
    public static final long CANCEL = 0x8;
    public static final long COMPRESSION_ERROR = 0x9;
    public static final long CONNECT_ERROR = 0xa;
    public static final long ENHANCE_YOUR_CALM = 0xb;
    public static final long INADEQUATE_SECURITY = 0xc;
    public static final long HTTP_1_1_REQUIRED = 0xd;
    // SETTINGS identifiers, RFC 9113 section 6.5.2.
    public static final int SETTINGS_HEADER_TABLE_SIZE = 0x1;
    public static final int SETTINGS_ENABLE_PUSH = 0x2;
    public static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
    public static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    public static final int SETTINGS_MAX_FRAME_SIZE = 0x5;
    public static final int SETTINGS_MAX_HEADER_LIST_SIZE = 0x6;

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(ISO_8859_1);
    private static final String[] ERROR_NAMES = {
        "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT",
        "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR",
        "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"
    };

    /**
     * One header field, name and value byte-exact: ISO-8859-1 strings, each char one byte
     * on the wire (chars above U+00FF become '?'), nothing checked or lowercased.
     */
    public record Field(String name, String value) {
        @Override
        public String toString() {
            return name + ": " + value;
        }
    }

    /** A frame as the server sent it (stream id without the reserved bit; payload with any padding). */
    public record Frame(int type, int flags, int streamId, byte[] payload) {
        @Override
        public String toString() {
            return "Frame[type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", stream=" + streamId
                    + ", length=" + payload.length + "]";
        }
    }

    /** A GOAWAY the server sent. */
    public record GoAway(int lastStreamId, long errorCode, byte[] debugData) {
        public String debug() {
            return new String(debugData, UTF_8);
        }

        @Override
        public String toString() {
            return "GoAway[last=" + lastStreamId + ", " + errorName(errorCode) + ", debug=" + debug() + "]";
        }
    }

    /**
     * What had arrived on one stream when it was looked at: header blocks in the order
     * Netty's decoder keeps them (pseudo-header fields first), 1xx blocks apart, the body,
     * whether END_STREAM came and the RST_STREAM error code if the server reset it.
     */
    public record Stream(
            int id,
            List<List<Field>> informational,
            List<Field> headers,
            List<Field> trailers,
            byte[] body,
            boolean ended,
            OptionalLong reset) {
        /** The {@code :status}, or -1 when no response headers came (or it is not a number). */
        public int status() {
            String s = header(":status");
            try {
                return s == null ? -1 : Integer.parseInt(s);
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        /** The first response header field with exactly this name, or null. */
        public @Nullable String header(String name) {
            return headers.stream()
                    .filter(f -> f.name().equals(name))
                    .map(Field::value)
                    .findFirst()
                    .orElse(null);
        }

        public String text() {
            return new String(body, UTF_8);
        }

        /** Whether the stream is over: ended by the server or reset. */
        public boolean done() {
            return ended || reset.isPresent();
        }

        @Override
        public String toString() {
            return "Stream[id=" + id + ", headers=" + headers + ", trailers=" + trailers + ", body=" + body.length
                    + " bytes, ended=" + ended + ", reset=" + (reset.isPresent() ? errorName(reset.getAsLong()) : "no")
                    + "]";
        }
    }

    private final RawH2Session session;

    private RawH2(Socket socket, Socket transport, boolean preface, int[] settings) throws IOException {
        session = new RawH2Session(socket, transport);
        if (preface) {
            raw(PREFACE);
            settings(settings);
        }
        session.start();
    }

    /** Opens h2c with prior knowledge: the preface and a SETTINGS frame of these (id, value) pairs. */
    public static RawH2 connect(int port, int... settings) throws IOException {
        Socket s = plain(port);
        return new RawH2(s, s, true, settings);
    }

    /** The same over TLS, ALPN {@code h2}, trusting any certificate. */
    public static RawH2 connectTls(int port, int... settings) throws IOException {
        Socket tcp = plain(port);
        try {
            SSLSocket s =
                    (SSLSocket) TestCerts.trustAll().getSocketFactory().createSocket(tcp, "127.0.0.1", port, true);
            SSLParameters p = s.getSSLParameters();
            p.setApplicationProtocols(new String[] {"h2"});
            s.setSSLParameters(p);
            s.setSoTimeout(10_000); // a silent server must not hang the handshake
            s.startHandshake();
            s.setSoTimeout(0); // from here the reader blocks; waits are bounded by the await timeouts
            return new RawH2(s, tcp, true, settings);
        } catch (Exception e) {
            tcp.close();
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    /**
     * What an HTTP/1.1 request asking for h2c got: the response head as it came, and
     * when that is {@code 101} the HTTP/2 connection that follows, where stream 1
     * carries the response to the request.
     */
    public record Upgrade(String head, Optional<RawH2> connection) implements AutoCloseable {
        /** The status of the HTTP/1.1 response head, or -1. */
        public int status() {
            return head.matches("(?s)HTTP/1\\.[01] \\d{3}.*") ? Integer.parseInt(head.substring(9, 12)) : -1;
        }

        @Override
        public void close() throws IOException {
            connection.ifPresent(RawH2::close);
        }
    }

    /**
     * Sends {@code request} (an HTTP/1.1 request with its h2c upgrade fields, as raw
     * bytes) on a new plain connection and reads the response head; on 101, sends the
     * preface and a SETTINGS frame of these (id, value) pairs as RFC 7540 §3.2 has it.
     */
    public static Upgrade upgrade(int port, String request, int... settings) throws IOException {
        Socket s = plain(port);
        try {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(ISO_8859_1));
            StringBuilder head = new StringBuilder();
            var in = s.getInputStream();
            while (head.length() < 64 * 1024
                    && !(head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4)) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
            s.setSoTimeout(0);
            if (!head.toString().startsWith("HTTP/1.1 101")) {
                s.close();
                return new Upgrade(head.toString(), Optional.empty());
            }
            return new Upgrade(head.toString(), Optional.of(new RawH2(s, s, true, settings)));
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** A plain connection where nothing is sent yet, for tests of the preface itself (see {@link #raw}). */
    public static RawH2 connectWithoutPreface(int port) throws IOException {
        Socket s = plain(port);
        return new RawH2(s, s, false, new int[0]);
    }

    private static Socket plain(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return s;
    }

    /** Request pseudo-headers in the usual order then {@code extra}; a mutable list, to reorder or trim. */
    public static List<Field> request(String method, String scheme, String authority, String path, Field... extra) {
        List<Field> fields = new ArrayList<>(List.of(
                new Field(":method", method),
                new Field(":scheme", scheme),
                new Field(":authority", authority),
                new Field(":path", path)));
        fields.addAll(Arrays.asList(extra));
        return fields;
    }

    /** A header block of literal-without-indexing, non-Huffman fields: the bytes given, nothing else. */
    public static byte[] hpack(List<Field> fields) {
        return RawH2Frames.hpack(fields);
    }

    public static String errorName(long code) {
        return code >= 0 && code < ERROR_NAMES.length ? ERROR_NAMES[(int) code] : "0x" + Long.toHexString(code);
    }

    // ---- Sending: each call queues bytes for the writer thread and returns at once.

    /** Any bytes, unframed: a broken preface, a frame with a lying length. */
    public RawH2 raw(byte[] bytes) {
        session.send(bytes);
        return this;
    }

    /** A frame; the length is the payload's and the stream id is written whole, reserved bit included. */
    public RawH2 frame(int type, int flags, int streamId, byte[] payload) {
        return raw(RawH2Frames.frame(type, flags, streamId, payload));
    }

    public RawH2 headers(int streamId, boolean endStream, boolean endHeaders, List<Field> fields) {
        return headers(streamId, endStream, endHeaders, hpack(fields));
    }

    /** A HEADERS frame carrying an already-encoded (or deliberately broken) block fragment. */
    public RawH2 headers(int streamId, boolean endStream, boolean endHeaders, byte[] fragment) {
        int flags = (endStream ? FLAG_END_STREAM : 0) | (endHeaders ? FLAG_END_HEADERS : 0);
        return frame(HEADERS, flags, streamId, fragment);
    }

    /** One header block split in HEADERS and as many CONTINUATION frames as {@code fragmentSize} makes. */
    public RawH2 headersInFragments(int streamId, boolean endStream, List<Field> fields, int fragmentSize) {
        if (fragmentSize < 1) {
            throw new IllegalArgumentException("fragmentSize " + fragmentSize);
        }
        byte[] b = hpack(fields);
        int n = Math.min(fragmentSize, b.length);
        headers(streamId, endStream, n == b.length, Arrays.copyOfRange(b, 0, n));
        for (int at = n; at < b.length; at += fragmentSize) {
            int end = Math.min(b.length, at + fragmentSize);
            continuation(streamId, end == b.length, Arrays.copyOfRange(b, at, end));
        }
        return this;
    }

    public RawH2 continuation(int streamId, boolean endHeaders, byte[] fragment) {
        return frame(CONTINUATION, endHeaders ? FLAG_END_HEADERS : 0, streamId, fragment);
    }

    public RawH2 continuation(int streamId, boolean endHeaders, List<Field> fields) {
        return continuation(streamId, endHeaders, hpack(fields));
    }

    public RawH2 data(int streamId, boolean endStream, byte[] bytes) {
        return frame(DATA, endStream ? FLAG_END_STREAM : 0, streamId, bytes);
    }

    /** DATA of the string's UTF-8 bytes. */
    public RawH2 data(int streamId, boolean endStream, String text) {
        return data(streamId, endStream, text.getBytes(UTF_8));
    }

    public RawH2 rstStream(int streamId, long errorCode) {
        return frame(RST_STREAM, 0, streamId, u32(errorCode));
    }

    /** SETTINGS of (id, value) pairs, in the order given, repeats kept. */
    public RawH2 settings(int... idValuePairs) {
        if (idValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("settings come in (id, value) pairs");
        }
        byte[] p = new byte[idValuePairs.length * 3];
        for (int i = 0; i < idValuePairs.length; i += 2) {
            p[i * 3] = (byte) (idValuePairs[i] >>> 8);
            p[i * 3 + 1] = (byte) idValuePairs[i];
            RawH2Frames.putInt(p, i * 3 + 2, idValuePairs[i + 1]);
            if (idValuePairs[i] == SETTINGS_HEADER_TABLE_SIZE) {
                // The server's encoder will shrink or grow its table to this: so must our decoder.
                try {
                    session.decoder.configuration().maxHeaderTableSize(idValuePairs[i + 1] & 0xffffffffL);
                } catch (Http2Exception e) {
                    throw new IllegalArgumentException(e);
                }
            }
        }
        return frame(SETTINGS, 0, 0, p);
    }

    public RawH2 settingsAck() {
        return frame(SETTINGS, FLAG_ACK, 0, new byte[0]);
    }

    /** A PING; {@link #awaitPingAck} tells when the server has answered it, and so read all sent before it. */
    public RawH2 ping(long data) {
        return ping(false, data);
    }

    public RawH2 ping(boolean ack, long data) {
        return frame(PING, ack ? FLAG_ACK : 0, 0, RawH2Frames.u64(data));
    }

    public RawH2 windowUpdate(int streamId, int increment) {
        return frame(WINDOW_UPDATE, 0, streamId, u32(increment));
    }

    /** A PRIORITY frame; {@code weight} is 1..256 and goes out as weight - 1. */
    public RawH2 priority(int streamId, int dependency, boolean exclusive, int weight) {
        byte[] p = Arrays.copyOf(u32(exclusive ? dependency | 0x80000000 : dependency), 5);
        p[4] = (byte) (weight - 1);
        return frame(PRIORITY, 0, streamId, p);
    }

    /** Sends a GOAWAY without debug data ({@link #goaway()} is the one the server sent). */
    public RawH2 goaway(int lastStreamId, long errorCode) {
        return frame(GOAWAY, 0, 0, u32(lastStreamId, errorCode));
    }

    // ---- Looking: snapshots now, or waits that give up at their timeout.

    /** The stream as it stands (empty if nothing arrived on it). */
    public Stream stream(int id) {
        synchronized (session.lock) {
            return session.stream(id).snapshot(id);
        }
    }

    /**
     * Waits until the stream ended or was reset, the server sent a GOAWAY that leaves it
     * out or carries an error, or the connection closed; then (or at the timeout) the stream as it stands.
     */
    public Stream awaitStream(int id, Duration timeout) {
        RawH2Session c = session;
        c.await(timeout, () -> {
            RawH2Session.StreamState s = c.streams.get(id);
            return (s != null && (s.ended || s.reset != null))
                    || c.closed
                    || (c.goaway != null && (c.goaway.errorCode() != NO_ERROR || id > c.goaway.lastStreamId()));
        });
        return stream(id);
    }

    /** Whether a GOAWAY came or the connection closed within the timeout. */
    public boolean awaitGoAwayOrClose(Duration timeout) {
        return session.await(timeout, () -> session.goaway != null || session.closed);
    }

    public boolean awaitClose(Duration timeout) {
        return session.await(timeout, () -> session.closed);
    }

    public boolean awaitPingAck(long data, Duration timeout) {
        return session.await(timeout, () -> session.pingAcks.contains(data));
    }

    public boolean awaitSettingsAck(Duration timeout) {
        return session.await(timeout, () -> session.settingsAcks > 0);
    }

    /** The first received frame (since the connection opened) that matches. */
    public Optional<Frame> awaitFrame(Predicate<Frame> match, Duration timeout) {
        session.await(timeout, () -> session.received.stream().anyMatch(match) || session.closed);
        synchronized (session.lock) {
            return session.received.stream().filter(match).findFirst();
        }
    }

    /** Whether everything queued so far reached the socket: false when the server stopped reading. */
    public boolean awaitWritten(Duration timeout) {
        session.await(timeout, () -> session.written == session.queued || session.writerDead);
        synchronized (session.lock) {
            return session.written == session.queued;
        }
    }

    /** The last GOAWAY the server sent. */
    public Optional<GoAway> goaway() {
        synchronized (session.lock) {
            return Optional.ofNullable(session.goaway);
        }
    }

    /** Whether the server closed (or reset) the connection; not when this side closed it. */
    public boolean closedByServer() {
        synchronized (session.lock) {
            return session.closedByServer;
        }
    }

    public Map<Integer, Long> serverSettings() {
        synchronized (session.lock) {
            return new LinkedHashMap<>(session.serverSettings);
        }
    }

    /** Every frame received, in order. */
    public List<Frame> received() {
        synchronized (session.lock) {
            return List.copyOf(session.received);
        }
    }

    /** What this client could not make sense of (HPACK failures, stray CONTINUATION, write errors). */
    public List<String> errors() {
        synchronized (session.lock) {
            return List.copyOf(session.errors);
        }
    }

    /** Lets queued frames reach the socket (a second at most), then closes it and stops both threads. */
    @Override
    public void close() {
        session.close();
    }
}
