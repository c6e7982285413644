package dev.berth.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;

class PieceJoinerTest {
    @Test
    void piecesAreJoinedInOrderIntoBuffersOfAtLeastTheJoinedSize() {
        byte[] body = new byte[PieceJoiner.JOINED * 3 + 5000];
        new Random(7).nextBytes(body);
        PieceJoiner joiner = new PieceJoiner();
        List<Buffer> out = new ArrayList<>();
        for (int at = 0; at < body.length; at += 8192) {
            Buffer joined = joiner.add(ByteBuffer.wrap(body, at, Math.min(8192, body.length - at)));
            if (joined != null) {
                out.add(joined);
            }
        }
        out.add(joiner.rest());
        assertNull(joiner.rest(), "nothing left after the rest");
        assertEquals(List.of(PieceJoiner.JOINED, PieceJoiner.JOINED, PieceJoiner.JOINED, 5000), out.stream().map(Buffer::length).toList());
        Buffer all = Buffer.buffer();
        out.forEach(all::appendBuffer);
        assertArrayEquals(body, all.getBytes());
    }

    @Test
    void emptyPiecesAddNothingAndTinyOnesAreJoinedAtABoundedCount() {
        PieceJoiner joiner = new PieceJoiner();
        assertNull(joiner.add(ByteBuffer.allocate(0)));
        assertNull(joiner.rest(), "an empty piece is no buffer");
        Buffer joined = null;
        int pieces = 0;
        while (joined == null) {
            joined = joiner.add(ByteBuffer.wrap(new byte[] {(byte) pieces}));
            pieces++;
        }
        assertEquals(pieces, joined.length());
        byte[] expected = new byte[pieces];
        Arrays.setAll(new int[pieces], i -> expected[i] = (byte) i);
        assertArrayEquals(expected, joined.getBytes());
    }

    @Test
    void aPieceIsWrappedNotCopied() {
        byte[] piece = {1, 2, 3};
        Buffer wrapped = PieceJoiner.wrap(ByteBuffer.wrap(piece, 1, 2));
        assertEquals(2, wrapped.length());
        piece[2] = 9;
        assertEquals(9, wrapped.getByte(1));
    }
}
