package dev.berth.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
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
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/** The spool of a mirror's fill, as the clients that join that fill read it: only released bytes, the whole once verified. */
class SpoolTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Vertx vertx = Vertx.vertx();
    @TempDir
    Path directory;
    @TempDir
    Path programs;

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
        Spool spool = Spool.create(vertx, directory, DigestAlgorithm.SHA256).await().atMost(WAIT);
        byte[] blob = random(3 * Spool.READ_SIZE + 5, 4);
        spool.append(Buffer.buffer(blob)).await().atMost(WAIT);
        spool.verified();
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
    void staleSpoolFilesAreRemovedButNotThoseALiveProcessHoldsOrJustCreated() throws Exception {
        FileTime old = FileTime.from(Instant.now().minus(Duration.ofMinutes(5)));
        Path killed = Files.write(directory.resolve("berth-spool-1.blob"), random(4096, 5));
        Path held = Files.write(directory.resolve("berth-spool-2.blob"), random(4096, 6));
        Path fresh = Files.write(directory.resolve("berth-spool-3.blob"), random(4096, 7));
        Path other = Files.write(directory.resolve("notes.blob"), random(16, 8));
        for (Path file : List.of(killed, held, other)) {
            Files.setLastModifiedTime(file, old);
        }
        Process holder = holdLock(held);
        try {
            assertEquals(1, Spool.removeStale(directory, StaleSpools.MIN_AGE));
            assertFalse(Files.exists(killed), "no process holds it: removed");
            assertTrue(Files.exists(held), "locked by a live process: kept");
            assertTrue(Files.exists(fresh), "younger than a minute: kept");
            assertTrue(Files.exists(other), "not a spool file: kept");
        } finally {
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertEquals(1, Spool.removeStale(directory, StaleSpools.MIN_AGE), "its process was killed");
        assertFalse(Files.exists(held));
        assertTrue(Files.exists(fresh));
    }

    @Test
    void aSpoolFileIsLockedWhileOpen() throws Exception {
        Spool spool = Spool.create(vertx, directory, DigestAlgorithm.SHA256).await().atMost(WAIT);
        Path file;
        try (Stream<Path> files = Files.list(directory)) {
            file = files.findFirst().orElseThrow();
        }
        Process probe = new ProcessBuilder(java(), lockProgram().toString(), file.toString(), "try").redirectErrorStream(true).start();
        assertTrue(probe.waitFor(60, TimeUnit.SECONDS));
        assertEquals("busy", new String(probe.getInputStream().readAllBytes()).trim(), "another process cannot lock it");
        spool.delete().await().atMost(WAIT);
        assertEquals(0, files());
    }

    /** A process holding an exclusive lock on {@code file} (as a live Berth holds its spool files), once it says so. */
    private Process holdLock(Path file) throws IOException {
        Process holder = new ProcessBuilder(java(), lockProgram().toString(), file.toString(), "hold").redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream()));
        String line = out.readLine();
        if (!"locked".equals(line)) {
            holder.destroyForcibly();
            throw new IllegalStateException("lock holder said " + line);
        }
        return holder;
    }

    private Path lockProgram() throws IOException {
        Path source = programs.resolve("LockFile.java");
        Files.writeString(source, """
                import java.nio.channels.FileChannel;
                import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
                import java.nio.file.StandardOpenOption;

                public class LockFile {
                    public static void main(String[] args) throws Exception {
                        FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE);
                        if (args[1].equals("try")) {
                            System.out.println(channel.tryLock() == null ? "busy" : "free");
                            return;
                        }
                        channel.lock();
                        System.out.println("locked");
                        System.out.flush();
                        Thread.sleep(600_000);
                    }
                }
                """);
        return source;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
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

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(condition.getAsBoolean(), what);
    }
}
