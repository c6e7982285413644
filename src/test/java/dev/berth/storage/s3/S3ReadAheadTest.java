package dev.berth.storage.s3;

import static dev.berth.storage.StorageTestSupport.MIB;
import static dev.berth.storage.StorageTestSupport.random;
import static dev.berth.storage.StorageTestSupport.read;
import static dev.berth.storage.StorageTestSupport.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.berth.storage.StorageTestSupport;
import dev.berth.testsupport.Poll;
import dev.berth.testsupport.S3Requests;
import dev.berth.testsupport.TcpRelay;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.buffer.Buffer;

/** Streamed reads in ranges with read-ahead, on S3Proxy behind a relay that counts the GetObjects. */
@QuarkusTest
@TestProfile(S3TestProfile.class)
class S3ReadAheadTest {
    private static final int RANGES = 4;
    private static final long RANGE = MIB;
    private static final Duration PROMPTLY = Duration.ofSeconds(20);

    @Inject
    S3DriverFactory factory;

    private final String root = "/read-ahead-" + UUID.randomUUID();

    @Test
    void aLargeObjectIsReadInRangesInOrderAndASmallOneInOneGetObject() {
        byte[] big = random(40 * MIB + 123, 400);
        byte[] small = random((int) RANGE - 1, 401);
        try (TcpRelay relay = relay(); S3Driver driver = driver(relay, RANGES, Duration.ofSeconds(10))) {
            StorageTestSupport.await(driver.putContent(root + "/big", big));
            StorageTestSupport.await(driver.putContent(root + "/small", small));
            S3Requests s3 = relay.requests();
            // latency: the ranges after the first overlap only when several are in flight
            relay.latency(20);

            s3.clear();
            AssertSubscriber<Buffer> whole = driver.read(root + "/big", 0, big.length).subscribe()
                    .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
            whole.awaitCompletion(PROMPTLY);
            assertEquals(sha256(big), sha256(bytes(whole)));
            assertEquals(41, s3.count("GetObject"), s3.byOperation().toString());
            // the SDK's pieces (8 KiB at most) reach the reader joined: a few buffers per range, not hundreds
            int joined = (int) (RANGE / PieceJoiner.JOINED);
            assertTrue(whole.getItems().size() <= 41 * 2 * joined, whole.getItems().size() + " buffers");

            s3.clear();
            int from = 5 * MIB + 7;
            int length = 20 * MIB + 11;
            assertArrayEquals(Arrays.copyOfRange(big, from, from + length), read(driver, root + "/big", from, length));
            assertEquals(21, s3.count("GetObject"), "ranges of a client's range");

            s3.clear();
            assertArrayEquals(small, read(driver, root + "/small", 0, small.length));
            assertEquals(1, s3.count("GetObject"), "an object within one range is one GetObject");
        }
    }

    @Test
    void aReaderThatGoesAwayMidBodyLeavesNoConnectionBusy() {
        byte[] big = random(24 * MIB, 402);
        try (TcpRelay relay = relay(); S3Driver driver = driver(relay, RANGES, Duration.ofSeconds(10))) {
            StorageTestSupport.await(driver.putContent(root + "/aborted", big));
            int before = relay.openConnections();
            // a slow link: each range of 1 MiB takes 2 s, so a range left running would hold its connection that long
            relay.answerRate(MIB / 2);
            AssertSubscriber<Buffer> reader = driver.read(root + "/aborted", 0, big.length).subscribe()
                    .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
            // a reader faster than S3: every range of the read-ahead in flight
            waitFor(() -> relay.openConnections() >= before + RANGES && received(reader) > 0, "the ranges in flight");
            reader.cancel();
            long cancelled = System.nanoTime();
            waitFor(() -> relay.openConnections() <= before, "every connection of the read closed");
            Duration took = Duration.ofNanos(System.nanoTime() - cancelled);
            assertTrue(took.compareTo(Duration.ofMillis(1500)) < 0, "released at the cancel, not when the ranges ended: " + took);
            assertTrue(received(reader) < 2 * MIB, "received " + received(reader));
            relay.answerRate(0);
            assertEquals(sha256(big), sha256(read(driver, root + "/aborted", 0, big.length)));
        }
    }

    @Test
    void aConnectionCutMidReadFailsTheReadInsteadOfEndingIt() {
        byte[] big = random(40 * MIB, 403);
        try (TcpRelay relay = relay(); S3Driver driver = driver(relay, RANGES, Duration.ofSeconds(10))) {
            StorageTestSupport.await(driver.putContent(root + "/cut", big));
            relay.cutAfter(5 * MIB / 2);
            AssertSubscriber<Buffer> reader = driver.read(root + "/cut", 0, big.length).subscribe()
                    .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
            waitFor(() -> reader.getFailure() != null || reader.hasCompleted(), "the read ends");
            assertFalse(reader.hasCompleted(), "a cut read must not complete");
            assertNotNull(reader.getFailure());
            assertTrue(received(reader) < big.length, "received " + received(reader));
            relay.cutAfter(Long.MAX_VALUE);
            assertEquals(sha256(big), sha256(read(driver, root + "/cut", 0, big.length)));
        }
    }

    @Test
    void aLengthPastTheEndReadsToTheEndInTheRangesThatExist() {
        byte[] content = random(3 * MIB + 5, 404);
        try (TcpRelay relay = relay(); S3Driver driver = driver(relay, RANGES, Duration.ofSeconds(10))) {
            StorageTestSupport.await(driver.putContent(root + "/short", content));
            S3Requests s3 = relay.requests();
            s3.clear();
            // the size is learnt from the first range's Content-Range: no range is asked past the end
            assertArrayEquals(content, read(driver, root + "/short", 0, 1L << 40));
            assertEquals(4, s3.count("GetObject"), s3.byOperation().toString());
        }
    }

    private TcpRelay relay() {
        return TcpRelay.readingHttp(factory.settings().regionEndpoint().orElseThrow().getPort());
    }

    /** A driver through {@code relay}, {@code connections} for streamed reads, reading ahead {@link #RANGES} ranges of {@link #RANGE}. */
    private S3Driver driver(TcpRelay relay, int connections, Duration readWait) {
        S3Settings settings = S3DriverTestSupport.withEndpoint(factory.settings(), "http://127.0.0.1:" + relay.port());
        settings = S3DriverTestSupport.withReads(settings, connections, readWait, settings.multipartCopyMaxConcurrency());
        return S3DriverTestSupport.driver(S3DriverTestSupport.withReadAhead(settings, RANGES, RANGE));
    }

    private static byte[] bytes(AssertSubscriber<Buffer> reader) {
        Buffer all = Buffer.buffer();
        reader.getItems().forEach(all::appendBuffer);
        return all.getBytes();
    }

    private static long received(AssertSubscriber<Buffer> reader) {
        return reader.getItems().stream().mapToLong(Buffer::length).sum();
    }

    private static void waitFor(BooleanSupplier condition, String what) {
        Poll.until(condition, PROMPTLY, what);
    }
}
