package dev.baton.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * An upstream that records exactly the bytes it receives and reads them as a strict
 * HTTP/1.1 server would (CRLF line ends, one Content-Length or a single chunked
 * coding, no obs-fold), for differential tests of the proxy: whatever the proxy
 * forwards must parse here as whole, well-formed requests. Anything else is recorded
 * as a {@link #violations() violation} and the connection is closed. Its answers come
 * from a function of the request, as raw bytes, so a test can also make it misbehave.
 */
public final class RawUpstream implements AutoCloseable {
    /** One request as this upstream read it; {@code raw} is every byte of it, head and body. */
    public record Request(
            String method, String target, List<String[]> headers, byte[] body, byte[] raw, int connection) {
        /** The value of the only header called {@code name} (any case), or null. */
        public @Nullable String header(String name) {
            String found = null;
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    found = h[1];
                }
            }
            return found;
        }

        /** How many header lines are called {@code name} (any case). */
        public int count(String name) {
            int n = 0;
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    n++;
                }
            }
            return n;
        }
    }

    private final ServerSocket server;
    private final Function<Request, byte[]> answer;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final List<String> truncated = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean closed;

    private RawUpstream(Function<Request, byte[]> answer) throws IOException {
        this.answer = answer;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "raw-upstream-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** An upstream that answers every request 200 with {@code ok} and the request's count. */
    public static RawUpstream start() throws IOException {
        return start(r -> ok("ok"));
    }

    /** An upstream that answers with whatever bytes {@code answer} makes of each request. */
    public static RawUpstream start(Function<Request, byte[]> answer) throws IOException {
        return new RawUpstream(answer);
    }

    /** A plain 200 response with {@code body} and an {@code x-upstream} marker. */
    public static byte[] ok(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return ("HTTP/1.1 200 OK\r\nx-upstream: raw\r\ncontent-length: " + b.length + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8);
    }

    public int port() {
        return server.getLocalPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** The requests read so far, in order of arrival. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** What arrived that a strict server would refuse: each entry says what and on which connection. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /**
     * Requests cut off by the end of their connection: never whole, so never served,
     * which is how a proxy gives up on a request it has started to forward.
     */
    public List<String> truncated() {
        return List.copyOf(truncated);
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                int id = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, id), "raw-upstream-conn-" + id);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s, int id) {
        try (s) {
            s.setSoTimeout(30_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            Reader reader = new Reader(in);
            while (!closed) {
                Request r;
                try {
                    r = reader.request(id);
                } catch (Truncated t) {
                    truncated.add("connection " + id + ": " + t.getMessage());
                    return;
                } catch (Malformed m) {
                    violations.add("connection " + id + ": " + m.getMessage());
                    return;
                }
                if (r == null) {
                    return; // closed cleanly between requests
                }
                requests.add(r);
                byte[] reply = answer.apply(r);
                if (reply == null) {
                    return; // the test wants the connection dropped
                }
                out.write(reply);
                out.flush();
            }
        } catch (SocketException e) {
            // reset by the proxy: fine, the test looks at what was read
        } catch (IOException e) {
            violations.add("connection " + id + ": " + e);
        }
    }

    /**
     * Dies as a killed process does: its listening socket is gone (new connections are
     * refused) and every open connection is reset, requests in flight included.
     */
    public void kill() throws IOException {
        closed = true;
        server.close();
        synchronized (sockets) {
            for (Socket s : sockets) {
                if (!s.isClosed()) {
                    s.setSoLinger(true, 0); // RST, not FIN: what the kernel sends for a dead process
                    s.close();
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        synchronized (sockets) {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private static class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    /** The connection ended inside a request. */
    private static final class Truncated extends Malformed {
        Truncated(String message) {
            super(message);
        }
    }

    /** A strict reader of requests from one connection. */
    private static final class Reader {
        private final InputStream in;
        private final ByteArrayOutputStream raw = new ByteArrayOutputStream();

        Reader(InputStream in) {
            this.in = in;
        }

        @Nullable
        Request request(int connection) throws IOException, Malformed {
            raw.reset();
            int first = in.read();
            if (first < 0) {
                return null; // a clean end of stream before a request
            }
            String line = line(first);
            String[] parts = line.split(" ", -1);
            if (parts.length != 3
                    || !parts[0].matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")
                    || !parts[2].equals("HTTP/1.1")
                    || parts[1].isEmpty()) {
                throw new Malformed("bad request line '" + printable(line) + "'");
            }
            List<String[]> headers = new ArrayList<>();
            while (true) {
                String h = line(in.read());
                if (h.isEmpty()) {
                    break;
                }
                int colon = h.indexOf(':');
                if (colon <= 0 || !h.substring(0, colon).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                    throw new Malformed("bad header line '" + printable(h) + "'");
                }
                String value = h.substring(colon + 1).strip();
                for (char c : value.toCharArray()) {
                    if ((c < 0x20 && c != '\t') || c == 0x7f) {
                        throw new Malformed("control character in header '" + printable(h) + "'");
                    }
                }
                headers.add(new String[] {h.substring(0, colon), value});
            }
            List<String> cl = new ArrayList<>();
            List<String> te = new ArrayList<>();
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase("content-length")) {
                    cl.add(h[1]);
                } else if (h[0].equalsIgnoreCase("transfer-encoding")) {
                    te.add(h[1]);
                }
            }
            if (headers.stream().filter(h -> h[0].equalsIgnoreCase("host")).count() != 1) {
                throw new Malformed("not exactly one Host");
            }
            byte[] body;
            if (!te.isEmpty()) {
                if (!cl.isEmpty()
                        || te.size() > 1
                        || !te.get(0).toLowerCase(Locale.ROOT).equals("chunked")) {
                    throw new Malformed("ambiguous framing: CL " + cl + ", TE " + te);
                }
                body = chunked();
            } else if (!cl.isEmpty()) {
                if (cl.size() > 1 || !cl.get(0).matches("[0-9]{1,12}")) {
                    throw new Malformed("bad Content-Length " + cl);
                }
                body = exactly(Integer.parseInt(cl.get(0)));
            } else {
                body = new byte[0];
            }
            return new Request(parts[0], parts[1], headers, body, raw.toByteArray(), connection);
        }

        private byte[] chunked() throws IOException, Malformed {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String size = line(in.read());
                if (!size.matches("[0-9a-fA-F]{1,8}")) {
                    throw new Malformed("bad chunk size '" + printable(size) + "'");
                }
                int n = Integer.parseInt(size, 16);
                if (n == 0) {
                    String end = line(in.read());
                    if (!end.isEmpty()) {
                        throw new Malformed("trailers after the last chunk");
                    }
                    return body.toByteArray();
                }
                body.writeBytes(exactly(n));
                if (!line(in.read()).isEmpty()) {
                    throw new Malformed("chunk data longer than its size");
                }
            }
        }

        private byte[] exactly(int n) throws IOException, Malformed {
            byte[] b = in.readNBytes(n);
            raw.writeBytes(b);
            if (b.length < n) {
                throw new Truncated("body ended after " + b.length + " of " + n + " bytes");
            }
            return b;
        }

        /** One CRLF-terminated line, whose first byte ({@code first}, or -1 at the end) is read already. */
        private String line(int first) throws IOException, Malformed {
            StringBuilder b = new StringBuilder();
            for (int c = first; ; c = in.read()) {
                if (c < 0) {
                    throw new Truncated("connection ended mid-line after '" + printable(b) + "'");
                }
                raw.write(c);
                if (c == '\r') {
                    int lf = in.read();
                    raw.write(lf);
                    if (lf != '\n') {
                        throw new Malformed("bare CR in '" + printable(b) + "'");
                    }
                    return b.toString();
                }
                if (c == '\n') {
                    throw new Malformed("bare LF after '" + printable(b) + "'");
                }
                if (c == 0) {
                    throw new Malformed("NUL in '" + printable(b) + "'");
                }
                b.append((char) c);
                if (b.length() > 256 * 1024) {
                    throw new Malformed("line longer than 256 KB");
                }
            }
        }
    }

    static String printable(CharSequence s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c >= 0x7f ? String.format("\\x%02X", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }
}
