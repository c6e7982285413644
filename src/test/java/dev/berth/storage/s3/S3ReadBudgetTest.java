package dev.berth.storage.s3;

import static dev.berth.storage.StorageTestSupport.MIB;
import static dev.berth.storage.StorageTestSupport.random;
import static dev.berth.storage.StorageTestSupport.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.berth.http.ErrorReply;
import dev.berth.storage.StorageUnavailableException;
import dev.berth.testsupport.Poll;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.buffer.Buffer;

/**
 * Downloads whose clients stop reading hold S3 connections; they must not take those of pushes and
 * metadata calls, and every connection must come back when its reader goes away.
 */
@QuarkusTest
@TestProfile(S3TestProfile.class)
class S3ReadBudgetTest {
    /** Connections for streamed reads in this test. */
    private static final int BUDGET = 4;
    /** How long a read beyond the budget waits for a connection. */
    private static final Duration WAIT = Duration.ofSeconds(2);
    /** Copy concurrency 1: the pool of everything else has 101 connections. */
    private static final int COPIES = 1;
    /** More stalled downloads than either pool has connections. */
    private static final int STALLED = 110;
    /** A call that is served, on a busy 2-core machine, answers within this. */
    private static final Duration PROMPTLY = Duration.ofSeconds(10);

    @Inject
    S3DriverFactory factory;

    private final String root = "/read-budget-" + UUID.randomUUID();

    @Test
    void stalledDownloadsLeavePushesAndMetadataServedAndGiveTheirConnectionsBack() {
        S3Settings settings = S3DriverTestSupport.withReads(factory.settings(), BUDGET, WAIT, COPIES);
        byte[] big = random(8 * MIB, 300);
        byte[] small = random(1000, 301);
        String bigPath = root + "/blobs/big";
        List<AssertSubscriber<Buffer>> reads = new ArrayList<>();
        long start = System.nanoTime();
        S3Driver driver = S3DriverTestSupport.driver(settings);
        try {
            promptly(driver.putContent(bigPath, big));
            promptly(driver.putContent(root + "/small", small));

            // readers that take one piece and never ask for more, like clients that stopped reading
            for (int i = 0; i < STALLED; i++) {
                reads.add(driver.read(bigPath, 0, -1).subscribe().withSubscriber(AssertSubscriber.create(1)));
            }
            waitFor(() -> streaming(reads) >= BUDGET, PROMPTLY, "the first reads get their first piece");

            // every read connection is held or waited for: pushes and metadata are still served
            assertArrayEquals(small, promptly(driver.getContent(root + "/small")));
            promptly(driver.putContent(root + "/pushed", small));
            assertEquals(big.length, promptly(driver.stat(bigPath)).size());
            assertEquals(List.of(root + "/blobs", root + "/pushed", root + "/small"), promptly(driver.list(root)));

            // reads beyond the budget wait a bounded time, then fail as unavailable: 503 with Retry-After
            waitFor(() -> reads.stream().allMatch(r -> !r.getItems().isEmpty() || r.getFailure() != null),
                    WAIT.multipliedBy(S3Clients.MAX_ATTEMPTS * 3).plus(PROMPTLY), "every read streams or fails");
            assertEquals(BUDGET, streaming(reads), "reads holding a connection");
            for (AssertSubscriber<Buffer> r : reads) {
                if (r.getFailure() != null) {
                    StorageUnavailableException e = assertInstanceOf(StorageUnavailableException.class, r.getFailure());
                    ErrorReply reply = ErrorReply.of(e);
                    assertEquals(503, reply.status());
                    assertTrue(reply.retryLater(), "Retry-After");
                }
            }
            List<AssertSubscriber<Buffer>> stalled = reads.stream().filter(r -> r.getFailure() == null).toList();

            // a reader that goes away while waiting for a connection takes nothing with it ...
            AssertSubscriber<Buffer> gaveUp = driver.read(bigPath, 0, -1).subscribe().withSubscriber(AssertSubscriber.create(1));
            sleep(Duration.ofMillis(300));
            gaveUp.cancel();
            // ... and one that stopped reading gives its connection to the next download
            stalled.get(0).cancel();
            assertEquals(sha256(big), sha256(promptly(readAll(driver, bigPath))));

            // all readers gone: every connection is back, for as many downloads as the budget allows
            stalled.forEach(AssertSubscriber::cancel);
            List<AssertSubscriber<Buffer>> again = new ArrayList<>();
            for (int i = 0; i < BUDGET; i++) {
                again.add(driver.read(bigPath, 0, -1).subscribe().withSubscriber(AssertSubscriber.create(1)));
            }
            reads.addAll(again);
            waitFor(() -> streaming(again) == BUDGET, PROMPTLY, "new reads on the released connections");
            again.forEach(AssertSubscriber::cancel);
            assertArrayEquals(big, promptly(readAll(driver, bigPath)));
        } finally {
            reads.forEach(AssertSubscriber::cancel);
            driver.close();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofMinutes(2)) < 0, "nothing hangs: " + took);
    }

    @Test
    void aReaderThatStopsPullingLosesItsConnectionAfterTheReadTimeout() {
        S3Settings settings = S3DriverTestSupport.withReads(factory.settings(), 1, Duration.ofSeconds(60), COPIES);
        Duration readTimeout = Duration.ofSeconds(2);
        String path = root + "/blobs/stalled";
        try (S3Driver driver = S3DriverTestSupport.driver(settings, readTimeout)) {
            promptly(driver.putContent(path, random(8 * MIB, 302)));
            AssertSubscriber<Buffer> stalled = driver.read(path, 0, -1).subscribe().withSubscriber(AssertSubscriber.create(1));
            stalled.awaitItems(1, PROMPTLY);
            // the only read connection is held; this read waits for it
            AssertSubscriber<Buffer> next = driver.read(path, 0, -1).subscribe().withSubscriber(AssertSubscriber.create(1));
            next.awaitItems(1, readTimeout.plus(PROMPTLY));
            assertInstanceOf(StorageUnavailableException.class, stalled.getFailure(), "the stalled read was failed, not left hanging");
            next.cancel();
        }
    }

    @Test
    void readersThatGoAwayWhileTheResponseIsOnItsWayReleaseTheirConnections() {
        S3Settings settings = S3DriverTestSupport.withReads(factory.settings(), BUDGET, Duration.ofSeconds(60), COPIES);
        String path = root + "/blobs/abandoned";
        Random random = new Random(303);
        try (S3Driver driver = S3DriverTestSupport.driver(settings)) {
            promptly(driver.putContent(path, random(MIB, 303)));
            // clients that disconnect at any moment: waiting for a connection, for the response, or reading
            for (int i = 0; i < 300; i++) {
                AssertSubscriber<Buffer> r = driver.read(path, 0, -1).subscribe().withSubscriber(AssertSubscriber.create(1));
                spin(Duration.ofNanos(random.nextInt(10_000_000)));
                r.cancel();
            }
            // none of them keeps a connection: as many new reads as the budget get one at once
            List<AssertSubscriber<Buffer>> again = new ArrayList<>();
            for (int i = 0; i < BUDGET; i++) {
                again.add(driver.read(path, 0, -1).subscribe().withSubscriber(AssertSubscriber.create(1)));
            }
            try {
                waitFor(() -> streaming(again) == BUDGET, PROMPTLY, "new reads on the released connections");
            } finally {
                again.forEach(AssertSubscriber::cancel);
            }
        }
    }

    /** Busy-waits: a sleep's granularity would miss the moments between request and response. */
    private static void spin(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    /** Reads that received a piece and are still open, each holding a connection. */
    private static long streaming(List<AssertSubscriber<Buffer>> reads) {
        return reads.stream().filter(r -> !r.getItems().isEmpty() && r.getFailure() == null && !r.isCancelled()).count();
    }

    private static Uni<byte[]> readAll(S3Driver driver, String path) {
        return driver.read(path, 0, -1).collect().in(ByteArrayOutputStream::new, (out, b) -> out.writeBytes(b.getBytes()))
                .map(ByteArrayOutputStream::toByteArray);
    }

    private static <T> T promptly(Uni<T> call) {
        return call.await().atMost(PROMPTLY);
    }

    private static void waitFor(BooleanSupplier condition, Duration timeout, String what) {
        Poll.until(condition, timeout, what);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
