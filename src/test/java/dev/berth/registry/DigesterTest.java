package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

class DigesterTest {
    private static final String HELLO_WORLD = "sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";

    @Test
    void bytesAndBuffersOfTheSameContentHaveTheSameDigest() {
        byte[] bytes = "hello world".getBytes(StandardCharsets.US_ASCII);
        assertEquals(HELLO_WORLD, Digester.of(DigestAlgorithm.SHA256, bytes).toString());
        assertEquals(HELLO_WORLD, Digester.of(DigestAlgorithm.SHA256, Buffer.buffer(bytes)).toString());
    }

    @Test
    void aBufferOfJoinedPiecesIsHashedWhole() {
        // a composite of two views, as a mirror's joined reads are: every piece counts, in order
        Buffer joined = Buffer.buffer(Unpooled.wrappedBuffer(
                Unpooled.wrappedBuffer("hello ".getBytes(StandardCharsets.US_ASCII)),
                Unpooled.wrappedBuffer("world".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(HELLO_WORLD, Digester.of(DigestAlgorithm.SHA256, joined).toString());
    }
}
