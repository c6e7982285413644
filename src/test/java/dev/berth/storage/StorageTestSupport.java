package dev.berth.storage;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/** Data, digests and blocking waits for driver tests (tests may block; drivers may not). */
public final class StorageTestSupport {
    public static final Duration TIMEOUT = Duration.ofSeconds(120);
    public static final int MIB = 1024 * 1024;

    private StorageTestSupport() {
    }

    public static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static <T> T await(Uni<T> uni) {
        return uni.await().atMost(TIMEOUT);
    }

    public static byte[] read(StorageDriver driver, String path, long offset, long length) {
        return await(driver.read(path, offset, length).collect().in(ByteArrayOutputStream::new,
                (out, b) -> out.writeBytes(b.getBytes()))).toByteArray();
    }

    /** Streams {@code data} in pieces of {@code piece} bytes, as an HTTP body arrives. */
    public static Multi<Buffer> pieces(byte[] data, int piece) {
        List<Buffer> out = new ArrayList<>();
        for (int at = 0; at < data.length; at += piece) {
            out.add(Buffer.buffer(Arrays.copyOfRange(data, at, Math.min(data.length, at + piece))));
        }
        return Multi.createFrom().iterable(out);
    }

    /** SHA-256 and length of a read, digested as it streams: a large file is never held whole. */
    public static Digested digest(Multi<Buffer> stream) {
        return await(stream.collect().in(Digested::new, Digested::add));
    }

    /** A streamed read's digest so far. */
    public static final class Digested {
        private final MessageDigest sha256;
        private long length;

        Digested() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void add(Buffer piece) {
            sha256.update(piece.getBytes());
            length += piece.length();
        }

        public long length() {
            return length;
        }

        public String sha256() {
            return HexFormat.of().formatHex(sha256.digest());
        }
    }

    public static void assertMissing(Uni<?> call) {
        Throwable e = assertThrows(Throwable.class, () -> await(call));
        assertTrue(e instanceof PathNotFoundException, "expected PathNotFoundException, got " + e);
    }
}
