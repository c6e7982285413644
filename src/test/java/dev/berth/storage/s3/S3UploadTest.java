package dev.berth.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.berth.storage.FileWriter;
import dev.berth.storage.StorageException;
import dev.berth.storage.StorageTestSupport;
import dev.berth.testsupport.TcpRelay;
import static dev.berth.storage.StorageTestSupport.*;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListPartsRequest;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/** What the S3 writer promises beyond the contract: part sizes, no re-copies, resumption anywhere. */
@QuarkusTest
@TestProfile(S3TestProfile.class)
class S3UploadTest {
    private static final int MIB = StorageTestSupport.MIB;

    @Inject
    S3DriverFactory factory;

    private S3Settings settings;
    private RequestLog log;
    private S3Driver driver;
    private S3Clients raw;

    @BeforeEach
    void drivers() {
        root = "/upload-test-" + UUID.randomUUID();
        settings = factory.settings();
        log = new RequestLog();
        driver = S3DriverTestSupport.driver(settings, log);
        raw = S3Clients.create(settings, List.of());
    }

    @AfterEach
    void close() {
        driver.close();
        raw.close();
    }

    private String root;

    private byte[] read(String path, long offset, long length) {
        return StorageTestSupport.read(driver, path, offset, length);
    }

    private long chunk() {
        return settings.chunkSize();
    }

    private S3AsyncClient s3() {
        return raw.client();
    }

    private List<MultipartUpload> openUploads(String path) {
        return s3().listMultipartUploads(ListMultipartUploadsRequest.builder().bucket(settings.bucket())
                .prefix(driver.bucketKey(path)).build()).join().uploads();
    }

    private List<Part> parts(String path) {
        MultipartUpload upload = openUploads(path).get(0);
        return s3().listParts(ListPartsRequest.builder().bucket(settings.bucket()).key(upload.key()).uploadId(upload.uploadId()).build())
                .join().parts();
    }

    private List<String> keysUnder(String path) {
        return s3().listObjectsV2(ListObjectsV2Request.builder().bucket(settings.bucket()).prefix(driver.bucketKey(path)).build())
                .join().contents().stream().map(S3Object::key).toList();
    }

    @Test
    void manySmallChunksNeverCopyOrDownloadFinishedParts() {
        byte[] content = random(200 * 100 * 1024, 100);
        String path = root + "/_uploads/small/data";
        FileWriter writer = await(driver.writer(path, false));
        for (int i = 0; i < 200; i++) {
            if (i > 0) {
                writer = await(driver.writer(path, true));
            }
            assertEquals((long) i * 100 * 1024, writer.size());
            await(writer.write(pieces(Arrays.copyOfRange(content, i * 100 * 1024, (i + 1) * 100 * 1024), 32 * 1024)));
            if (i < 199) {
                await(writer.close());
            }
        }
        long fullParts = content.length / chunk();
        assertEquals(fullParts, parts(path).size());
        await(writer.commit());

        assertEquals(0, log.count("UploadPartCopy"), "no server-side re-copy of earlier data");
        assertEquals(0, log.count("CopyObject"));
        String dataKey = driver.bucketKey(path);
        assertTrue(log.of("GetObject").stream().noneMatch(c -> c.key().equals(dataKey)), "the upload itself is never downloaded");
        List<RequestLog.Call> uploaded = log.of("UploadPart");
        assertEquals(fullParts + 1, uploaded.size(), "each byte is uploaded as a part once");
        for (int i = 0; i < uploaded.size() - 1; i++) {
            assertEquals(chunk(), uploaded.get(i).contentLength(), "part " + (i + 1));
        }
        assertEquals(content.length - fullParts * chunk(), uploaded.get(uploaded.size() - 1).contentLength());
        assertEquals(sha256(content), sha256(read(path, 0, -1)));
        assertEquals(List.of(dataKey), keysUnder(path), "the tail object is gone after commit");
    }

    @Test
    void partsGoUnhashedAndUnframedOverPlainHttp() {
        // over http the SDK would otherwise SHA-256 every part for its signature (a second hash of every
        // pushed byte, after the digest's) or frame it in signed aws-chunked pieces
        assertTrue(settings.regionEndpoint().orElseThrow().getScheme().equals("http"), "the test S3 is plain http");
        byte[] content = random(2 * (int) chunk() + 5, 102);
        String path = root + "/_uploads/unsigned/data";
        FileWriter writer = await(driver.writer(path, false));
        await(writer.write(pieces(content, 64 * 1024)));
        await(writer.commit());

        List<RequestLog.Sent> parts = log.sent.stream().filter(s -> s.operation().equals("UploadPart")).toList();
        assertEquals(3, parts.size());
        for (RequestLog.Sent part : parts) {
            assertEquals("UNSIGNED-PAYLOAD", part.payloadHash());
            assertEquals("", part.contentEncoding());
        }
        assertEquals(sha256(content), sha256(read(path, 0, -1)));
    }

    @Test
    void onlyLargeBodiesWaitForContinue() {
        // a body sent only after "100 Continue" costs a distant store one more round trip: links, locks,
        // manifests and tails go at once; parts still ask first, as Distribution's SDK does from 2 MiB
        assertTrue(chunk() >= ExpectContinueOnLargeBodies.THRESHOLD, "parts are large bodies");
        byte[] content = random((int) chunk() + 1000, 103);
        String path = root + "/_uploads/expect/data";
        try (TcpRelay relay = TcpRelay.readingHttp(settings.regionEndpoint().orElseThrow().getPort());
                S3Driver distant = S3DriverTestSupport.driver(S3DriverTestSupport.withEndpoint(settings, "http://127.0.0.1:" + relay.port()), log)) {
            await(distant.putContent(root + "/_uploads/expect/startedat", new byte[20]));
            FileWriter writer = await(distant.writer(path, false));
            await(writer.write(pieces(content, 64 * 1024)));
            await(writer.close());
            await(await(distant.writer(path, true)).commit());
            await(distant.putContent(root + "/expect/big", random((int) ExpectContinueOnLargeBodies.THRESHOLD, 104)));
            // on the wire, the SDK sent those two bodies only once the store's "100 Continue" was back
            assertEquals(2, relay.requests().continuesWaitedFor());
        }

        Map<String, List<String>> expectations = log.sent.stream().filter(s -> s.operation().equals("PutObject") || s.operation().equals("UploadPart"))
                .collect(Collectors.groupingBy(RequestLog.Sent::operation, Collectors.mapping(RequestLog.Sent::expect, Collectors.toList())));
        // the start time and the 1000-byte tail without, the 2 MiB object with; the full part with, the tail's without
        assertEquals(List.of("", "", "100-continue"), expectations.get("PutObject"));
        assertEquals(List.of("100-continue", ""), expectations.get("UploadPart"));
        assertEquals(sha256(content), sha256(read(path, 0, -1)));
    }

    @Test
    void aFileUnderOneChunkIsCommittedAsOneObject() {
        // a config or a small layer: its bytes go up once, as the object itself, not as a part to be completed
        byte[] content = random(1500, 105);
        String path = root + "/_uploads/whole/data";
        FileWriter writer = await(driver.writer(path, false));
        await(writer.write(pieces(Arrays.copyOfRange(content, 0, 1000), 300)));
        await(writer.close());
        log.clear();
        writer = await(driver.writer(path, true));
        await(writer.write(pieces(Arrays.copyOfRange(content, 1000, 1500), 300)));
        await(writer.commit());

        List<String> operations = log.calls.stream().map(RequestLog.Call::operation).sorted().toList();
        assertEquals(List.of("AbortMultipartUpload", "DeleteObject", "GetObject", "PutObject"), operations,
                "the tail read, the object written, the multipart upload aborted and the tail deleted");
        assertEquals(sha256(content), sha256(read(path, 0, -1)));
        assertTrue(openUploads(path).isEmpty(), "no multipart upload left open");
        assertEquals(List.of(driver.bucketKey(path)), keysUnder(path), "the object alone, no tail");
    }

    @Test
    void aFailedWholeObjectCommitFailsAndLeavesNothingReadable() {
        String path = root + "/_uploads/whole-failed/data";
        try (TcpRelay relay = TcpRelay.readingHttp(settings.regionEndpoint().orElseThrow().getPort());
                S3Driver distant = S3DriverTestSupport.driver(S3DriverTestSupport.withEndpoint(settings, "http://127.0.0.1:" + relay.port()))) {
            FileWriter writer = await(distant.writer(path, false));
            await(writer.write(pieces(random(1500, 113), 300)));
            // the store goes away before the object is put, and stays away past the SDK's retries
            relay.cut();
            RuntimeException failed = assertThrows(RuntimeException.class, () -> await(writer.commit()));
            assertInstanceOf(StorageException.class, failed, failed.toString());
            relay.restore();
        }
        assertMissing(driver.stat(path));
        assertTrue(keysUnder(path).isEmpty(), "no object and no tail: " + keysUnder(path));
    }

    @Test
    void aMissingFileCostsOneRequest() {
        // a blob looked up before it is placed (or fetched by a mirror) is usually not there: no listing
        // that would tell a directory from nothing, one round trip to a distant S3 instead of two
        String path = root + "/blobs/missing/data";
        await(driver.putContent(path + "/below", new byte[] {1}));
        log.clear();
        assertEquals(Optional.empty(), await(driver.fileSize(path)));
        assertEquals(List.of("HeadObject"), log.calls.stream().map(RequestLog.Call::operation).toList());
    }

    @Test
    void partsAreExactlyChunkSizeWhenWritesStraddleBoundaries() {
        byte[] content = random(17 * MIB + 3, 101);
        String path = root + "/_uploads/straddle/data";
        await(driver.putContent(root + "/_uploads/straddle/startedat", new byte[1]));
        int[] cuts = {0, 4 * MIB + 1, 9 * MIB + 77, content.length};
        FileWriter writer = null;
        for (int i = 0; i + 1 < cuts.length; i++) {
            writer = await(driver.writer(path, i > 0));
            // 777,777-byte pieces never line up with 5 MiB parts
            await(writer.write(pieces(Arrays.copyOfRange(content, cuts[i], cuts[i + 1]), 777_777)));
            await(writer.close());
        }
        List<Part> parts = parts(path);
        assertEquals(3, parts.size());
        for (Part p : parts) {
            assertEquals(chunk(), p.size(), "part " + p.partNumber());
        }
        assertEquals(List.of(1, 2, 3), parts.stream().map(Part::partNumber).toList());
        String tailKey = driver.bucketKey(path) + S3Keys.TAIL_SUFFIX;
        assertTrue(keysUnder(path).contains(tailKey), "the unfinished part waits in the tail object");
        assertEquals(List.of(root + "/_uploads/straddle/startedat"), await(driver.list(root + "/_uploads/straddle")), "tails are not listed");
        assertEquals(1, await(driver.walk(root + "/_uploads").collect().asList()).size(), "nor walked");

        writer = await(driver.writer(path, true));
        assertEquals(content.length, writer.size());
        await(writer.commit());
        byte[] back = read(path, 0, -1);
        assertEquals(content.length, back.length);
        assertEquals(sha256(content), sha256(back));
        // a range across the first part boundary
        assertArrayEquals(Arrays.copyOfRange(content, (int) chunk() - 10, (int) chunk() + 10), read(path, chunk() - 10, 20));
    }

    @Test
    void anotherDriverInstanceResumesFromTheBucketAlone() {
        byte[] content = random(11 * MIB + 5, 102);
        String path = root + "/_uploads/replica/data";
        FileWriter first = await(driver.writer(path, false));
        await(first.write(pieces(Arrays.copyOfRange(content, 0, 7 * MIB), 65_536)));
        await(first.close());

        try (S3Driver replica = S3DriverTestSupport.driver(settings)) {
            FileWriter second = await(replica.writer(path, true));
            assertEquals(7 * MIB, second.size());
            await(second.write(pieces(Arrays.copyOfRange(content, 7 * MIB, content.length), 65_536)));
            await(second.commit());
        }
        assertEquals(sha256(content), sha256(read(path, 0, -1)));
        assertTrue(openUploads(path).isEmpty());
    }

    @Test
    void cancelAbortsTheUploadAndRemovesTheTail() {
        String path = root + "/_uploads/gone/data";
        FileWriter writer = await(driver.writer(path, false));
        await(writer.write(pieces(random(6 * MIB, 103), 65_536)));
        await(writer.close());
        assertEquals(1, openUploads(path).size());
        assertTrue(keysUnder(path).contains(driver.bucketKey(path) + S3Keys.TAIL_SUFFIX));

        writer = await(driver.writer(path, true));
        await(writer.cancel());
        assertTrue(openUploads(path).isEmpty(), "no multipart upload left");
        assertTrue(keysUnder(path).isEmpty(), "no object and no tail left");
    }

    @Test
    void failedCommitLeavesNoReadableObject() {
        String path = root + "/_uploads/failed/data";
        FileWriter first = await(driver.writer(path, false));
        await(first.write(pieces(random(6 * MIB, 104), 65_536)));
        await(first.close());
        FileWriter writer = await(driver.writer(path, true));
        assertEquals(6 * MIB, writer.size());
        MultipartUpload upload = openUploads(path).get(0);
        s3().abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(settings.bucket()).key(upload.key())
                .uploadId(upload.uploadId()).build()).join();
        // the completion's own failure, not one wrapped with the tail's delete that ran beside it
        RuntimeException failed = assertThrows(RuntimeException.class, () -> await(writer.commit()));
        assertInstanceOf(StorageException.class, failed, failed.toString());
        assertMissing(driver.stat(path));
        assertTrue(keysUnder(path).isEmpty(), "no object and no tail left: " + keysUnder(path));
    }

    @Test
    void deletingADirectoryAbortsOpenUploadsBelowIt() {
        String dir = root + "/_uploads/purged";
        await(driver.putContent(dir + "/startedat", "2026-01-01T00:00:00Z".getBytes()));
        FileWriter writer = await(driver.writer(dir + "/data", false));
        await(writer.write(pieces(random(6 * MIB, 105), 65_536)));
        await(writer.close());
        FileWriter sibling = await(driver.writer(root + "/_uploads/purged-not/data", false));
        await(sibling.close());

        await(driver.delete(dir));
        assertTrue(openUploads(dir + "/data").isEmpty());
        assertTrue(keysUnder(dir).stream().noneMatch(k -> k.startsWith(driver.bucketKey(dir) + "/")));
        assertEquals(1, openUploads(root + "/_uploads/purged-not/data").size(), "a sibling with the same prefix is kept");
    }

    @Test
    void moveAboveTheThresholdCopiesPartsOnTheServer() {
        S3Settings copySettings = S3DriverTestSupport.withCopy(settings, 5 * MIB, 5 * MIB);
        RequestLog copyLog = new RequestLog();
        try (S3Driver mover = S3DriverTestSupport.driver(copySettings, copyLog)) {
            byte[] content = random(12 * MIB + 1, 106);
            String source = root + "/_uploads/big/data";
            FileWriter writer = await(mover.writer(source, false));
            await(writer.write(pieces(content, 65_536)));
            await(writer.commit());
            copyLog.clear();

            String target = root + "/blobs/sha256/ab/abcdef/data";
            await(mover.move(source, target));
            assertEquals(3, copyLog.count("UploadPartCopy"));
            assertEquals(0, copyLog.count("CopyObject"));
            assertEquals(0, copyLog.count("GetObject"), "no byte passes through the registry");
            assertEquals(sha256(content), sha256(read(target, 0, -1)));
            assertMissing(driver.stat(source));

            // at or under the threshold: one CopyObject
            byte[] small = random(1000, 107);
            await(mover.putContent(source, small));
            copyLog.clear();
            await(mover.move(source, target));
            assertEquals(1, copyLog.count("CopyObject"));
            assertEquals(0, copyLog.count("UploadPartCopy"));
            assertArrayEquals(small, await(driver.getContent(target)));
        }
    }

    @Test
    void twoConcurrentWritersOfTheSameContent() {
        byte[] content = random(8 * MIB + 99, 108);
        String a = root + "/_uploads/a/data";
        String b = root + "/_uploads/b/data";
        String blob = root + "/blobs/sha256/cd/cdef/data";
        Uni<Void> first = driver.writer(a, false).chain(w -> w.write(pieces(content, 65_536)).chain(w::commit))
                .chain(() -> driver.move(a, blob));
        Uni<Void> second = driver.writer(b, false).chain(w -> w.write(pieces(content, 50_000)).chain(w::commit))
                .chain(() -> driver.move(b, blob));
        await(Uni.combine().all().unis(first, second).discardItems());
        assertEquals(sha256(content), sha256(read(blob, 0, -1)));
        assertTrue(openUploads(root + "/_uploads").isEmpty());
        assertMissing(driver.stat(a));
        assertMissing(driver.stat(b));
    }

    @Test
    void keysAreDistributionsLayoutUnderTheRootDirectory() {
        String path = "/docker/registry/v2/repositories/" + root.substring(1) + "/_layers/sha256/aa/link";
        await(driver.putContent(path, "sha256:aa".getBytes()));
        assertEquals("berth-root" + path, driver.bucketKey(path));
        assertEquals(List.of("berth-root" + path), keysUnder(path));
        await(driver.delete("/docker/registry/v2/repositories/" + root.substring(1)));
    }

    @Test
    void writesAreBackPressuredSoAtMostAboutOnePartIsInMemory() throws Exception {
        int piece = 64 * 1024;
        int total = 6 * (int) chunk() + 12_345;
        AtomicLong generated = new AtomicLong();
        List<long[]> seenAtPartStart = new CopyOnWriteArrayList<>();
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        ExecutionInterceptor probe = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context,
                    ExecutionAttributes attributes) {
                if (context.request() instanceof UploadPartRequest part) {
                    seenAtPartStart.add(new long[] {part.partNumber(), generated.get()});
                }
            }
        };
        // the body is produced only as the writer asks for it, like a socket read under back-pressure
        Multi<Buffer> body = produced(total, piece, generated, sent, 109);
        try (S3Driver probed = S3DriverTestSupport.driver(settings, probe)) {
            String path = root + "/_uploads/pressure/data";
            FileWriter writer = await(probed.writer(path, false));
            assertEquals(total, await(writer.write(body)));
            await(writer.commit());
            assertEquals(total, await(driver.stat(path)).size());
            assertEquals(HexFormat.of().formatHex(sent.digest()), sha256(read(path, 0, -1)));
        }
        assertEquals(7, seenAtPartStart.size());
        for (long[] seen : seenAtPartStart) {
            // when part n starts, the producer is at most one piece past it: nothing else is buffered
            assertTrue(seen[1] <= seen[0] * chunk() + piece, "part " + seen[0] + " started with " + seen[1] + " bytes produced");
        }
    }

    /** A body of {@code total} random bytes produced only as the writer asks for it; {@code sent} hashes it. */
    private static Multi<Buffer> produced(long total, int piece, AtomicLong generated, MessageDigest sent, long seed) {
        Random data = new Random(seed);
        return Multi.createBy().repeating()
                .supplier(() -> {
                    int n = (int) Math.min(piece, total - generated.get());
                    byte[] b = new byte[n];
                    data.nextBytes(b);
                    sent.update(b);
                    generated.addAndGet(n);
                    return Buffer.buffer(b);
                })
                .until(b -> b.length() == 0);
    }

    @Test
    void partsGoUpConcurrentlyInOrderWithBoundedMemory() throws Exception {
        int concurrency = 4;
        long part = 5 * MIB;
        int piece = 64 * 1024;
        long total = 64L * MIB;
        AtomicLong generated = new AtomicLong();
        AtomicLong answered = new AtomicLong();
        AtomicLong inFlight = new AtomicLong();
        AtomicLong maxInFlight = new AtomicLong();
        AtomicLong maxAhead = new AtomicLong();
        ExecutionInterceptor probe = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof UploadPartRequest) {
                    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                }
            }

            @Override
            public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof UploadPartRequest r) {
                    inFlight.decrementAndGet();
                    answered.addAndGet(r.contentLength());
                }
            }
        };
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        Multi<Buffer> body = produced(total, piece, generated, sent, 110)
                // bytes taken from the client but not yet in S3: what the upload holds in memory
                .invoke(b -> maxAhead.accumulateAndGet(generated.get() - answered.get(), Math::max));
        S3Settings concurrent = S3DriverTestSupport.withParts(settings, part, concurrency);
        RequestLog parts = new RequestLog();
        // each part held back 50 ms on the wire, as a distant store would, so parts overlap
        try (TcpRelay relay = TcpRelay.readingHttp(settings.regionEndpoint().orElseThrow().getPort());
                S3Driver distant = S3DriverTestSupport.driver(S3DriverTestSupport.withEndpoint(concurrent,
                        "http://127.0.0.1:" + relay.port()), probe, parts)) {
            relay.latency(50);
            String path = root + "/_uploads/concurrent/data";
            FileWriter writer = await(distant.writer(path, false));
            assertEquals(total, await(writer.write(body)));
            await(writer.commit());
            assertEquals(HexFormat.of().formatHex(sent.digest()), sha256(read(path, 0, -1)));
        }
        assertTrue(maxInFlight.get() > 1, "parts overlapped: " + maxInFlight.get());
        assertTrue(maxInFlight.get() <= concurrency, "at most " + concurrency + " parts in flight: " + maxInFlight.get());
        assertTrue(maxAhead.get() <= (concurrency + 1) * part + piece, "held at most (concurrency + 1) parts: " + maxAhead.get());
        List<RequestLog.Call> uploaded = parts.of("UploadPart");
        assertEquals(13, uploaded.size());
        for (int i = 0; i < 12; i++) {
            assertEquals(part, uploaded.get(i).contentLength(), "part " + (i + 1) + " is a whole chunk");
        }
    }

    @Test
    void aPartFailingMidUploadFailsTheWriteAndLeavesItResumable() throws Exception {
        long part = 5 * MIB;
        long total = 40L * MIB;
        byte[] content = random((int) total, 111);
        String path = root + "/_uploads/cut/data";
        S3Settings concurrent = S3DriverTestSupport.withParts(settings, part, 4);
        try (TcpRelay relay = TcpRelay.readingHttp(settings.regionEndpoint().orElseThrow().getPort());
                S3Driver distant = S3DriverTestSupport.driver(S3DriverTestSupport.withEndpoint(concurrent,
                        "http://127.0.0.1:" + relay.port()))) {
            relay.latency(20);
            FileWriter writer = await(distant.writer(path, false));
            AtomicLong given = new AtomicLong();
            int piece = 64 * 1024;
            Multi<Buffer> body = Multi.createFrom().range(0, (int) (total / piece)).map(i -> {
                if (given.addAndGet(piece) == 22 * MIB) {
                    // the store goes away with parts in flight, and stays away past the SDK's retries
                    relay.cut();
                }
                return Buffer.buffer(Arrays.copyOfRange(content, i * piece, (i + 1) * piece));
            });
            assertThrows(RuntimeException.class, () -> await(writer.write(body)));
            await(writer.close());
            assertMissing(driver.stat(path));
            relay.restore();
        }
        // another writer resumes from what the bucket holds: whole parts in a row from part 1
        FileWriter resumed = await(driver.writer(path, true));
        long offset = resumed.size();
        assertEquals(0, offset % part, "resumes at a part boundary: " + offset);
        assertTrue(offset < 22 * MIB, "not past what reached the store: " + offset);
        await(resumed.write(pieces(Arrays.copyOfRange(content, (int) offset, content.length), 65_536)));
        await(resumed.commit());
        assertEquals(sha256(content), sha256(read(path, 0, -1)));
        assertTrue(openUploads(path).isEmpty());
    }

    @Test
    void theReplicaThatServedAnUploadLastResumesItWithoutListing() {
        byte[] content = random(16 * MIB + 321, 112);
        String path = root + "/_uploads/kept/data";
        int[] cuts = {0, 3 * MIB, 7 * MIB, 11 * MIB, content.length};
        // A, A, then B, then A again: A's kept state is stale after B wrote, and must not be trusted
        S3Driver[] order;
        try (S3Driver other = S3DriverTestSupport.driver(settings)) {
            order = new S3Driver[] {driver, driver, other, driver};
            FileWriter writer = null;
            for (int i = 0; i + 1 < cuts.length; i++) {
                log.clear();
                writer = await(order[i].writer(path, i > 0));
                assertEquals(cuts[i], writer.size(), "turn " + i);
                if (i == 1) {
                    assertEquals(0, log.count("ListMultipartUploads") + log.count("ListParts"), "resumed from the kept state");
                    assertEquals(1, log.calls.size(), "one request, the tail's: " + log.calls);
                }
                if (i == 3) {
                    assertEquals(1, log.count("ListParts"), "another replica wrote in between: listed again");
                }
                await(writer.write(pieces(Arrays.copyOfRange(content, cuts[i], cuts[i + 1]), 65_536)));
                if (i + 2 < cuts.length) {
                    await(writer.close());
                }
            }
            await(writer.commit());
        }
        assertEquals(sha256(content), sha256(read(path, 0, -1)));
        assertTrue(keysUnder(path).equals(List.of(driver.bucketKey(path))), "no tail left: " + keysUnder(path));
    }
}
