package dev.baton.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A strict reader of the HTTP/1.1 responses on one connection, as a careful client
 * reads them (RFC 9112 §4, §5 and §6.3): a status line of {@code HTTP-version SP
 * 3DIGIT SP reason}, CRLF line ends, header fields of a token name and a value with
 * no control character but HTAB, no obs-fold, and a body framed by exactly one of
 * chunked, one Content-Length, or the close of the connection; none at all for
 * HEAD, 1xx, 204 and 304, and a tunnel after a 2xx to CONNECT. Whatever does not read so is {@link Malformed}: a client
 * would see garbage, or the next response in the wrong place.
 */
final class StrictHttp1Responses {
    private static final Pattern STATUS_LINE =
            Pattern.compile("HTTP/1\\.[01] [1-9][0-9]{2} [\\t \\x21-\\x7e\\x80-\\xff]*");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern FIELD_VALUE = Pattern.compile("[\\t \\x21-\\x7e\\x80-\\xff]*");
    private static final Pattern CHUNK_SIZE = Pattern.compile("([0-9A-Fa-f]{1,8})(;[\\t \\x21-\\x7e]*)?");

    /** One response: status, header fields (name, value trimmed) and body. */
    record Response(int status, List<String[]> headers, byte[] body) {
        /** The values of every field called {@code name}, any case. */
        List<String> all(String name) {
            List<String> out = new ArrayList<>();
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    out.add(h[1]);
                }
            }
            return out;
        }

        String header(String name) {
            List<String> all = all(name);
            return all.isEmpty() ? null : all.get(0);
        }
    }

    /** What a strict client would refuse. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    private final byte[] in;
    private final boolean closed;
    private int pos;

    private StrictHttp1Responses(byte[] in, boolean closed) {
        this.in = in;
        this.closed = closed;
    }

    /**
     * Reads every response in {@code in}; {@code methods} are the methods of the
     * requests sent, in order (a HEAD's response has no body, a HEAD?'s none unless it
     * is an error); {@code closed} whether
     * the server closed after them. Interim (1xx) responses are left out.
     */
    static List<Response> read(byte[] in, boolean closed, List<String> methods) throws Malformed {
        return new StrictHttp1Responses(in, closed).all(methods);
    }

    private List<Response> all(List<String> methods) throws Malformed {
        List<Response> out = new ArrayList<>();
        while (pos < in.length) {
            String method = out.size() < methods.size() ? methods.get(out.size()) : "GET";
            Response r = response(method);
            if (r.status() >= 200) {
                out.add(r);
            }
            if (method.equals("CONNECT") && r.status() / 100 == 2) {
                break; // a tunnel from here on (RFC 9112 §6.3): no more responses to read
            }
        }
        return out;
    }

    private Response response(String method) throws Malformed {
        String status = line("status line");
        if (!STATUS_LINE.matcher(status).matches()) {
            throw new Malformed("bad status line '" + printable(status) + "'");
        }
        int code = Integer.parseInt(status.substring(9, 12));
        List<String[]> headers = new ArrayList<>();
        while (true) {
            String h = line("header line");
            if (h.isEmpty()) {
                break;
            }
            if (h.charAt(0) == ' ' || h.charAt(0) == '\t') {
                throw new Malformed("obs-fold '" + printable(h) + "'");
            }
            int colon = h.indexOf(':');
            String value = colon < 0 ? "" : h.substring(colon + 1).strip();
            if (colon <= 0 || !TOKEN.matcher(h.substring(0, colon)).matches()) {
                throw new Malformed("bad header line '" + printable(h) + "'");
            }
            if (!FIELD_VALUE.matcher(value).matches()) {
                throw new Malformed("control character in '" + printable(h) + "'");
            }
            headers.add(new String[] {h.substring(0, colon), value});
        }
        Response shell = new Response(code, headers, new byte[0]);
        List<String> te = shell.all("transfer-encoding");
        List<String> cl = shell.all("content-length");
        boolean tunnel = method.equals("CONNECT") && code / 100 == 2; // framing fields are ignored
        // HEAD? is a request line that may or may not have been read as HEAD: refused, its
        // error has a body; answered, it was a HEAD.
        boolean head = method.equals("HEAD") || (method.equals("HEAD?") && code < 400);
        if (code < 200 || code == 204 || code == 304 || head || tunnel) {
            if (code < 200 || code == 204) {
                if (!te.isEmpty() || !cl.isEmpty()) {
                    throw new Malformed(code + " with framing headers (RFC 9110 §8.6, RFC 9112 §6.1)");
                }
            }
            return shell;
        }
        if (!te.isEmpty()) {
            if (!cl.isEmpty()) {
                throw new Malformed("both Transfer-Encoding and Content-Length");
            }
            if (te.size() != 1 || !te.get(0).toLowerCase(Locale.ROOT).equals("chunked")) {
                throw new Malformed("Transfer-Encoding " + te);
            }
            return new Response(code, headers, chunked());
        }
        if (!cl.isEmpty()) {
            if (cl.size() != 1 || !cl.get(0).matches("[0-9]{1,15}")) {
                throw new Malformed("Content-Length " + cl);
            }
            return new Response(code, headers, exactly(Long.parseLong(cl.get(0))));
        }
        // Delimited by the close: only the last response can be, and the server must close.
        if (!closed) {
            throw new Malformed(code + " without framing on a connection left open");
        }
        byte[] body = java.util.Arrays.copyOfRange(in, pos, in.length);
        pos = in.length;
        return new Response(code, headers, body);
    }

    private byte[] chunked() throws Malformed {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line("chunk size");
            var m = CHUNK_SIZE.matcher(size);
            if (!m.matches()) {
                throw new Malformed("bad chunk size '" + printable(size) + "'");
            }
            long n = Long.parseLong(m.group(1), 16);
            if (n == 0) {
                while (!line("trailer").isEmpty()) {
                    // trailer fields: read and dropped
                }
                return body.toByteArray();
            }
            body.writeBytes(exactly(n));
            if (!line("chunk end").isEmpty()) {
                throw new Malformed("chunk data longer than its size");
            }
        }
    }

    private byte[] exactly(long n) throws Malformed {
        if (in.length - pos < n) {
            throw new Malformed("body cut off after " + (in.length - pos) + " of " + n + " bytes");
        }
        byte[] b = java.util.Arrays.copyOfRange(in, pos, pos + (int) n);
        pos += (int) n;
        return b;
    }

    private String line(String what) throws Malformed {
        int start = pos;
        for (int i = pos; i < in.length; i++) {
            byte c = in[i];
            if (c == '\r') {
                if (i + 1 >= in.length) {
                    break;
                }
                if (in[i + 1] != '\n') {
                    throw new Malformed("bare CR in " + what);
                }
                pos = i + 2;
                return new String(in, start, i - start, StandardCharsets.ISO_8859_1);
            }
            if (c == '\n') {
                throw new Malformed("bare LF in " + what);
            }
            if (c == 0) {
                throw new Malformed("NUL in " + what);
            }
        }
        throw new Malformed(what + " cut off: '"
                + printable(new String(in, start, in.length - start, StandardCharsets.ISO_8859_1)) + "'");
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 300; i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                b.append("\\r");
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c < 0x20 || c >= 0x7f || c == '\\') {
                b.append(String.format("\\x%02X", (int) c));
            } else {
                b.append(c);
            }
        }
        return s.length() > 300
                ? b.append("...(").append(s.length()).append(" chars)").toString()
                : b.toString();
    }
}
