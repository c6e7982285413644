package dev.berth.storage;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
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
        } catch (java.security.NoSuchAlgorithmException e) {
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

    public static void assertMissing(Uni<?> call) {
        Throwable e = assertThrows(Throwable.class, () -> await(call));
        assertTrue(e instanceof PathNotFoundException, "expected PathNotFoundException, got " + e);
    }
}
