package dev.berth.storage.s3;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes received but not yet in a part: at most one part plus one incoming buffer. Kept as the
 * received pieces (views of the callers' buffers, not copies), so neither receiving nor cutting a
 * part copies anything.
 */
final class PartBuffer {
    private final ArrayDeque<ByteBuffer> pieces = new ArrayDeque<>();
    private long size;

    void append(byte[] bytes) {
        append(ByteBuffer.wrap(bytes));
    }

    /** Keeps the piece's remaining bytes, which its owner must leave unchanged from now on. */
    void append(ByteBuffer piece) {
        if (piece.hasRemaining()) {
            pieces.add(piece);
            size += piece.remaining();
        }
    }

    long size() {
        return size;
    }

    /** Read-only views of the first {@code n} bytes (n at most {@link #size()}); the buffer is unchanged. */
    ByteBuffer[] first(long n) {
        List<ByteBuffer> out = new ArrayList<>();
        long left = n;
        for (ByteBuffer piece : pieces) {
            if (left == 0) {
                break;
            }
            ByteBuffer view = piece.asReadOnlyBuffer();
            if (view.remaining() > left) {
                view.limit(view.position() + (int) left);
            }
            left -= view.remaining();
            out.add(view);
        }
        return out.toArray(ByteBuffer[]::new);
    }

    /** Drops the first {@code n} bytes, once they are safely in a part. */
    void drop(long n) {
        long left = n;
        while (left > 0) {
            ByteBuffer head = pieces.peekFirst();
            if (head.remaining() <= left) {
                left -= head.remaining();
                pieces.removeFirst();
            } else {
                head.position(head.position() + (int) left);
                left = 0;
            }
        }
        size -= n;
    }

    byte[] toBytes() {
        byte[] out = new byte[(int) size];
        int at = 0;
        for (ByteBuffer piece : pieces) {
            ByteBuffer view = piece.duplicate();
            int len = view.remaining();
            view.get(out, at, len);
            at += len;
        }
        return out;
    }
}
