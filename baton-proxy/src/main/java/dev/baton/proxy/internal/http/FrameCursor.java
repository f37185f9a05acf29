package dev.baton.proxy.internal.http;

import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;

/**
 * Follows HTTP/2 frame boundaries in a connection's raw bytes, without decoding
 * anything, and tells its {@link Listener} each frame's type and flags. It must see
 * the stream from its start: it trusts itself only when the first bytes are the
 * client preface, and otherwise stays silent for good, since a cursor that started
 * mid-frame would read payload bytes as frame headers.
 */
public final class FrameCursor {
    /** Hears each frame header; on the connection's event loop. */
    public interface Listener {
        /** A frame header was read; false to stop following the stream. */
        boolean frame(int type, int flags, long now);

        /** The frames of one read have been seen. */
        void read(long now);
    }

    private static final byte[] PREFACE_START = {'P', 'R', 'I', ' '};
    private static final int PREFACE = 24;

    private @Nullable Listener listener; // none until one is given: frames are only counted
    private boolean started;
    private boolean lost;
    private long skip;
    private final byte[] header = new byte[9];
    private int have;

    /** Frames are told to {@code l} from now on; until then they are only counted past. */
    public void listen(Listener l) {
        listener = l;
    }

    /** Whether the cursor still follows the frames (it saw the preface and nobody stopped it). */
    public boolean following() {
        return started && !lost;
    }

    /** Whether the cursor knows where frames start (it saw the preface). */
    public boolean aligned() {
        return started && !lost;
    }

    public void read(ByteBuf buf, long now) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        if (!started) {
            started = true;
            for (int k = 0; k < PREFACE_START.length; k++) {
                if (i + k >= end || buf.getByte(i + k) != PREFACE_START[k]) {
                    lost = true;
                    break;
                }
            }
            skip = PREFACE;
        }
        if (lost) {
            return;
        }
        while (i < end) {
            if (skip > 0) {
                int n = (int) Math.min(skip, end - i);
                skip -= n;
                i += n;
                continue;
            }
            header[have++] = buf.getByte(i++);
            if (have == 9) {
                have = 0;
                skip = ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
                if (listener != null && !listener.frame(header[3] & 0xff, header[4] & 0xff, now)) {
                    lost = true;
                    return;
                }
            }
        }
        if (listener != null) {
            listener.read(now);
        }
    }
}
