package dev.berth.storage.s3;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

/**
 * Joins the pieces of one GetObject body into buffers of {@link #JOINED} bytes or more, without copying
 * (fewer bytes only at the body's end, or after {@link #MAX_PIECES} tiny pieces).
 * The SDK's Netty client cuts a body into pieces of at most 8 KiB (its HTTP decoder's chunk size, not
 * configurable); every piece passed on costs a queue step, the Mutiny operators of the read, an
 * event-loop hop and a flushed write to the client: joined, those are paid once per 256 KiB.
 * Not thread-safe: fed by the body's subscriber, whose signals are serial.
 */
final class PieceJoiner {
    static final int JOINED = 256 * 1024;
    /** So that many tiny pieces never make a long component list. */
    private static final int MAX_PIECES = 256;
    private CompositeByteBuf pending;

    /** Adds {@code piece}; returns the joined buffer once it is full (see above), else null. */
    Buffer add(ByteBuffer piece) {
        if (!piece.hasRemaining()) {
            return null;
        }
        if (pending == null) {
            pending = Unpooled.compositeBuffer(MAX_PIECES);
        }
        pending.addComponent(true, wrapped(piece));
        return pending.readableBytes() >= JOINED || pending.numComponents() >= MAX_PIECES ? rest() : null;
    }

    /** {@code piece} as a Vert.x buffer, without copying it. */
    static Buffer wrap(ByteBuffer piece) {
        return Buffer.buffer(wrapped(piece));
    }

    /** Wrapped, not copied: the SDK's Netty client hands over each piece as a fresh heap copy that it never reuses. */
    private static ByteBuf wrapped(ByteBuffer piece) {
        return Unpooled.wrappedBuffer(piece);
    }

    /** The bytes added since the last buffer returned, or null when there are none. */
    Buffer rest() {
        CompositeByteBuf joined = pending;
        pending = null;
        return joined == null ? null : Buffer.buffer(joined);
    }
}
