package dev.berth.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.registry.DigestAlgorithm;
import dev.berth.registry.Digester;
import dev.berth.testsupport.Poll;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/** The spool of a mirror's fill, as the clients that join that fill read it: only released bytes, the whole once verified. */
class SpoolTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Vertx vertx = Vertx.vertx();
    @TempDir
    Path directory;

    @AfterAll
    static void close() {
        vertx.close();
    }

    @Test
    void aReaderGetsWhatWasWrittenButTheLastBufferUntilTheBlobIsVerified() throws Exception {
        Spool spool = Spool.create(vertx, directory, DigestAlgorithm.SHA256).await().atMost(WAIT);
        byte[] first = random(1536 * 1024, 1);
        byte[] second = random(100 * 1024, 2);
        assertTrue(spool.join());
        Reading reading = new Reading(spool);

        spool.append(Buffer.buffer(first)).await().atMost(WAIT);
        spool.append(Buffer.buffer(second)).await().atMost(WAIT);
        awaitTrue(() -> reading.bytes() == first.length, "the first buffer read");
        Thread.sleep(200);
        assertEquals(first.length, reading.bytes(), "the last buffer is held back");
        assertFalse(reading.done.isDone(), "still waiting");

        spool.appended().await().atMost(WAIT);
        spool.verified();
        reading.done.get(10, TimeUnit.SECONDS);
        byte[] all = concat(first, second);
        assertArrayEquals(all, reading.out.toByteArray());
        spool.leave();
        awaitTrue(() -> files() == 1, "the file stays: its owner is not done");
        spool.delete().await().atMost(WAIT);
        assertEquals(0, files());
    }

    @Test
    void aFailedFillFailsItsReadersAndTakesNoneIn() throws Exception {
        Spool spool = Spool.create(vertx, directory, DigestAlgorithm.SHA256).await().atMost(WAIT);
        assertTrue(spool.join());
        Reading reading = new Reading(spool);
        spool.append(Buffer.buffer(random(4096, 3))).await().atMost(WAIT);
        IllegalStateException cut = new IllegalStateException("upstream cut");

        spool.failed(cut);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> reading.done.get(10, TimeUnit.SECONDS));
        assertSame(cut, failed.getCause());
        assertFalse(spool.join(), "no reader taken in after the failure");
        spool.leave();
        spool.delete().await().atMost(WAIT);
        awaitTrue(() -> files() == 0, "file removed");
    }

    @Test
    void theFileIsRemovedWhenTheLastReaderLeavesAfterItsOwner() throws Exception {
        byte[] blob = random(3 * Spool.READ_SIZE + 5, 4);
        Spool spool = verifiedSpool(blob);
        assertTrue(spool.join());

        spool.delete().await().atMost(WAIT);
        assertEquals(1, files(), "a reader is still in");
        assertFalse(spool.join(), "no reader taken in once the owner is done");
        Reading reading = new Reading(spool);
        reading.done.get(10, TimeUnit.SECONDS);
        assertArrayEquals(blob, reading.out.toByteArray(), "read whole after its owner was done");
        spool.leave();
        awaitTrue(() -> files() == 0, "file removed by the last reader");
    }

    @Test
    void appendsQueuedAtOnceAreHashedAndWrittenInTheirOrder() throws Exception {
        Spool spool = Spool.create(vertx, directory, DigestAlgorithm.SHA256).await().atMost(WAIT);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        List<CompletableFuture<Void>> appends = new ArrayList<>();
        Random sizes = new Random(5);
        for (int i = 0; i < 40; i++) {
            byte[] piece = random(1 + sizes.nextInt(300 * 1024), 100 + i);
            all.write(piece);
            appends.add(spool.append(Buffer.buffer(piece)).subscribeAsCompletionStage());
        }
        spool.appended().await().atMost(WAIT);
        for (CompletableFuture<Void> append : appends) {
            append.get(10, TimeUnit.SECONDS);
        }

        assertEquals(Digester.of(DigestAlgorithm.SHA256, all.toByteArray()), spool.digest());
        assertEquals(all.size(), spool.length());
        spool.verified();
        assertTrue(spool.join());
        Reading reading = new Reading(spool);
        reading.done.get(10, TimeUnit.SECONDS);
        assertArrayEquals(all.toByteArray(), reading.out.toByteArray());
        spool.leave();
        spool.delete().await().atMost(WAIT);
        awaitTrue(() -> files() == 0, "file removed");
    }

    @Test
    void aFileChangedAfterItWasWrittenFailsItsReadersBeforeTheirLastBytes() throws Exception {
        byte[] blob = random(2 * Spool.READ_SIZE + 100, 9);
        Spool spool = verifiedSpool(blob);
        Path file;
        try (Stream<Path> files = Files.list(directory)) {
            file = files.findFirst().orElseThrow();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {(byte) ~blob[Spool.READ_SIZE + 7]}), Spool.READ_SIZE + 7);
        }

        assertTrue(spool.join());
        Reading reading = new Reading(spool);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> reading.done.get(10, TimeUnit.SECONDS));
        assertTrue(failed.getCause().getMessage().contains("changed after it was written"), failed.getCause().getMessage());
        assertEquals(2 * Spool.READ_SIZE, reading.bytes(), "the read that reaches the end is not handed on");
        spool.leave();
        spool.delete().await().atMost(WAIT);
        awaitTrue(() -> files() == 0, "file removed");
    }

    @Test
    void aFailedWriteFailsTheAppendsQueuedAfterIt() throws Exception {
        Spool spool = Spool.create(vertx, directory, DigestAlgorithm.SHA256).await().atMost(WAIT);
        spool.append(Buffer.buffer(random(4096, 6))).await().atMost(WAIT);
        spool.appended().await().atMost(WAIT);
        spool.delete().await().atMost(WAIT); // closes the file: the next write fails

        spool.append(Buffer.buffer(random(4096, 7))).await().atMost(WAIT);
        assertClosedChannel(assertThrows(RuntimeException.class, () -> spool.appended().await().atMost(WAIT)));
        assertClosedChannel(assertThrows(RuntimeException.class, () -> spool.append(Buffer.buffer(random(10, 8))).await().atMost(WAIT)));
        assertEquals(0, files());
    }

    /** One reader's bytes so far, and its end. */
    private static final class Reading {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Reading(Spool spool) {
            spool.read().subscribe().with(b -> {
                synchronized (out) {
                    out.write(b.getBytes(), 0, b.length());
                }
            }, done::completeExceptionally, () -> done.complete(null));
        }

        int bytes() {
            synchronized (out) {
                return out.size();
            }
        }
    }

    private long files() {
        try (Stream<Path> files = Files.list(directory)) {
            return files.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** A spool holding {@code blob}, written whole and verified as a fill does. */
    private Spool verifiedSpool(byte[] blob) {
        Spool spool = Spool.create(vertx, directory, DigestAlgorithm.SHA256).await().atMost(WAIT);
        spool.append(Buffer.buffer(blob)).await().atMost(WAIT);
        spool.appended().await().atMost(WAIT);
        assertEquals(Digester.of(DigestAlgorithm.SHA256, blob), spool.digest());
        spool.verified();
        return spool;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static void assertClosedChannel(Throwable failure) {
        Throwable cause = failure;
        while (cause != null && !(cause instanceof ClosedChannelException)) {
            cause = cause.getCause();
        }
        assertTrue(cause != null, "failed by the closed file: " + failure);
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        Poll.until(condition, WAIT, what);
    }
}
