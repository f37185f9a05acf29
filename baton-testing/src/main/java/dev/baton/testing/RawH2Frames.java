package dev.baton.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The byte-level half of {@link RawH2}: frame headers, payload layouts and an HPACK
 * encoder that never compresses or indexes, so that whatever a test puts in a
 * header reaches the server exactly as written, however malformed.
 */
final class RawH2Frames {
    static final int HEADER_LENGTH = 9;

    private RawH2Frames() {}

    /** A frame as it goes on the wire; the stream id is written whole, reserved bit included. */
    static byte[] frame(int type, int flags, int streamId, byte[] payload) {
        byte[] f = new byte[HEADER_LENGTH + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        putInt(f, 5, streamId);
        System.arraycopy(payload, 0, f, HEADER_LENGTH, payload.length);
        return f;
    }

    /**
     * A header block of "literal header field without indexing — new name"
     * representations only (RFC 7541 section 6.2.2), Huffman off: the bytes of
     * every name and value go out unchanged, and the server's table is never touched,
     * so blocks can be sent in any order, dropped or repeated without desynchronising it.
     */
    static byte[] hpack(List<RawH2.Field> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (RawH2.Field f : fields) {
            out.write(0x00);
            string(out, f.name());
            string(out, f.value());
        }
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        integer(out, b.length, 7, 0x00);
        out.writeBytes(b);
    }

    /** An HPACK integer with an N-bit prefix (RFC 7541 section 5.1); {@code high} holds the bits above the prefix. */
    static void integer(ByteArrayOutputStream out, int value, int prefixBits, int high) {
        int max = (1 << prefixBits) - 1;
        if (value < max) {
            out.write(high | value);
            return;
        }
        out.write(high | max);
        value -= max;
        while (value >= 0x80) {
            out.write((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    static byte[] u32(long... values) {
        byte[] b = new byte[values.length * 4];
        for (int i = 0; i < values.length; i++) {
            putInt(b, i * 4, (int) values[i]);
        }
        return b;
    }

    static byte[] u64(long value) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (value >>> (56 - 8 * i));
        }
        return b;
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static long u32(byte[] b, int at) {
        return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xffL) << 16) | ((b[at + 2] & 0xffL) << 8) | (b[at + 3] & 0xffL);
    }

    static long u64(byte[] b, int at) {
        return (u32(b, at) << 32) | u32(b, at + 4);
    }

    /** The payload less its padding when the PADDED flag is set; null if the padding does not fit. */
    static byte @Nullable [] unpad(int flags, byte[] p, int extraHead) {
        int start = 0;
        int end = p.length;
        if ((flags & RawH2.FLAG_PADDED) != 0) {
            if (p.length < 1) {
                return null;
            }
            start = 1;
            end -= p[0] & 0xff;
        }
        start += extraHead;
        if (end < start) {
            return null;
        }
        byte[] out = new byte[end - start];
        System.arraycopy(p, start, out, 0, out.length);
        return out;
    }

    /** Reads one frame, or returns null at a clean end of stream between frames. */
    static RawH2.@Nullable Frame read(InputStream in) throws IOException {
        byte[] h = new byte[HEADER_LENGTH];
        int first = in.read();
        if (first < 0) {
            return null;
        }
        h[0] = (byte) first;
        readFully(in, h, 1, HEADER_LENGTH - 1);
        int length = ((h[0] & 0xff) << 16) | ((h[1] & 0xff) << 8) | (h[2] & 0xff);
        byte[] payload = new byte[length];
        readFully(in, payload, 0, length);
        return new RawH2.Frame(h[3] & 0xff, h[4] & 0xff, (int) (u32(h, 5) & 0x7fffffffL), payload);
    }

    private static void readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = in.read(b, off, len);
            if (n < 0) {
                throw new EOFException("connection closed inside a frame");
            }
            off += n;
            len -= n;
        }
    }
}
