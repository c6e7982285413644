package dev.berth.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

import dev.berth.storage.PathRules.InvalidPathException;
import dev.berth.storage.StorageTestSupport.Digested;

/**
 * What every storage driver must do, run unchanged on each one (Distribution's testsuites). Each
 * test works below its own random directory, so drivers with shared state (a bucket) can run it.
 * The driver runs as production runs it: behind {@link PathCheckingDriver}.
 */
public abstract class StorageDriverContract {
    protected static final int MIB = StorageTestSupport.MIB;

    protected String root;

    /** The driver under test, as the registry sees it: behind the path check (see {@link #pathChecked}). */
    protected abstract StorageDriver driver();

    /** Whether the driver hands out URLs clients fetch files from (s3), rather than none. */
    protected boolean redirects() {
        return false;
    }

    /** {@code driver} wrapped as {@link StorageDriverProducer} wraps every driver, so paths are checked where production checks them. */
    protected static StorageDriver pathChecked(StorageDriver driver) {
        return new PathCheckingDriver(driver);
    }

    @BeforeEach
    void newRoot() {
        root = "/contract-" + UUID.randomUUID();
    }

    // ---- helpers ------------------------------------------------------------------------------

    protected static byte[] random(int size, long seed) {
        return StorageTestSupport.random(size, seed);
    }

    protected static String sha256(byte[] data) {
        return StorageTestSupport.sha256(data);
    }

    protected static <T> T await(Uni<T> uni) {
        return StorageTestSupport.await(uni);
    }

    protected byte[] read(String path, long offset, long length) {
        return StorageTestSupport.read(driver(), path, offset, length);
    }

    protected void put(String path, byte[] content) {
        await(driver().putContent(path, content));
    }

    protected static Multi<Buffer> pieces(byte[] data, int piece) {
        return StorageTestSupport.pieces(data, piece);
    }

    protected void assertMissing(Uni<?> call) {
        StorageTestSupport.assertMissing(call);
    }

    protected void assertMissing(Multi<?> call) {
        StorageTestSupport.assertMissing(call.collect().asList());
    }

    protected FileInfo stat(String path) {
        return await(driver().stat(path));
    }

    protected List<String> list(String path) {
        return await(driver().list(path));
    }

    protected List<String> walk(String path) {
        return await(driver().walk(path).map(FileInfo::path).collect().asList());
    }

    /** Writes {@code content} through one writer and commits it. */
    protected void write(String path, byte[] content, int piece) {
        FileWriter writer = await(driver().writer(path, false));
        assertEquals(content.length, await(writer.write(pieces(content, piece))));
        await(writer.commit());
    }

    private static void assertInvalid(Uni<?> call, String path) {
        Throwable e = assertThrows(Throwable.class, () -> await(call), "path " + path);
        assertInstanceOf(InvalidPathException.class, e, "path " + path);
    }

    // ---- small files --------------------------------------------------------------------------

    @Test
    void putContentThenGetContentReturnsTheSameBytes() {
        byte[] content = random(40_000, 1);
        put(root + "/dir/file", content);
        assertArrayEquals(content, await(driver().getContent(root + "/dir/file")));

        byte[] replaced = random(123, 2);
        put(root + "/dir/file", replaced);
        assertArrayEquals(replaced, await(driver().getContent(root + "/dir/file")));

        put(root + "/empty", new byte[0]);
        assertEquals(0, await(driver().getContent(root + "/empty")).length);
        assertEquals(0, await(driver().stat(root + "/empty")).size());
    }

    @Test
    void missingPathsFailWithPathNotFound() {
        String missing = root + "/no/such/file";
        assertMissing(driver().getContent(missing));
        assertMissing(driver().stat(missing));
        assertMissing(driver().list(missing));
        assertMissing(driver().delete(missing));
        assertMissing(driver().move(missing, root + "/elsewhere"));
        assertMissing(driver().read(missing, 0, -1).collect().asList());
        assertMissing(driver().read(missing, 10, 5).collect().asList());
        assertMissing(driver().walk(missing).collect().asList());
        assertMissing(driver().writer(missing, true));
    }

    // ---- reads --------------------------------------------------------------------------------

    @Test
    void readHonoursOffsetAndLength() {
        byte[] content = random(300_000, 3);
        String path = root + "/blob";
        put(path, content);
        assertArrayEquals(content, read(path, 0, -1));
        assertArrayEquals(Arrays.copyOfRange(content, 1000, content.length), read(path, 1000, -1));
        assertArrayEquals(Arrays.copyOfRange(content, 1000, 6000), read(path, 1000, 5000));
        assertArrayEquals(Arrays.copyOfRange(content, 0, 1), read(path, 0, 1));
        assertArrayEquals(Arrays.copyOfRange(content, content.length - 10, content.length), read(path, content.length - 10, 100));
        assertEquals(0, read(path, content.length, -1).length);
        assertEquals(0, read(path, content.length + 10, 10).length);
        assertEquals(0, read(path, 5, 0).length);
    }

    // ---- writers ------------------------------------------------------------------------------

    @Test
    void writerCommitMakesTheFileReadable() {
        byte[] content = random(200_000, 4);
        String path = root + "/_uploads/one/data";
        FileWriter writer = await(driver().writer(path, false));
        assertEquals(content.length, await(writer.write(pieces(content, 65_536))));
        assertEquals(content.length, writer.size());
        await(writer.commit());
        assertArrayEquals(content, await(driver().getContent(path)));
        assertEquals(content.length, await(driver().stat(path)).size());
    }

    @Test
    void writerAppendsAcrossCloseAndResume() {
        // crosses 5 MiB part boundaries at odd places, with small and large requests
        byte[] content = random(12 * MIB + 12_345, 5);
        int[] cuts = {0, 100, 3 * MIB, 3 * MIB + 7, 6 * MIB - 1, 11 * MIB, content.length};
        String path = root + "/_uploads/resumed/data";
        FileWriter writer = await(driver().writer(path, false));
        for (int i = 0; i + 1 < cuts.length; i++) {
            if (i > 0) {
                writer = await(driver().writer(path, true));
            }
            assertEquals(cuts[i], writer.size(), "size after resume " + i);
            byte[] chunk = Arrays.copyOfRange(content, cuts[i], cuts[i + 1]);
            // pieces that never line up with S3 part boundaries
            assertEquals(chunk.length, await(writer.write(pieces(chunk, 777_777))));
            assertEquals(cuts[i + 1], writer.size());
            if (i + 2 < cuts.length) {
                await(writer.close());
            }
        }
        await(writer.commit());
        byte[] back = read(path, 0, -1);
        assertEquals(content.length, back.length);
        assertEquals(sha256(content), sha256(back));
        assertEquals(content.length, await(driver().stat(path)).size());
    }

    @Test
    void writerWithoutAppendReplacesTheFile() {
        String path = root + "/replaced";
        put(path, random(5000, 6));
        byte[] fresh = random(300, 7);
        FileWriter writer = await(driver().writer(path, false));
        assertEquals(0, writer.size());
        await(writer.write(pieces(fresh, 100)));
        await(writer.commit());
        assertArrayEquals(fresh, await(driver().getContent(path)));
    }

    @Test
    void cancelledWriterLeavesNothingReadable() {
        String path = root + "/_uploads/cancelled/data";
        FileWriter writer = await(driver().writer(path, false));
        await(writer.write(pieces(random(6 * MIB, 8), 65_536)));
        await(writer.close());
        writer = await(driver().writer(path, true));
        await(writer.write(pieces(random(1000, 9), 1000)));
        await(writer.cancel());
        assertMissing(driver().getContent(path));
        assertMissing(driver().stat(path));
        assertMissing(driver().writer(path, true));
    }

    @Test
    void emptyWriterCommitsAnEmptyFile() {
        String path = root + "/empty-upload";
        FileWriter writer = await(driver().writer(path, false));
        await(writer.commit());
        assertEquals(0, await(driver().getContent(path)).length);
        assertEquals(0, await(driver().stat(path)).size());
    }

    // ---- stat, list, walk ---------------------------------------------------------------------

    @Test
    void statTellsFilesFromDirectories() {
        put(root + "/a/b/c", random(77, 10));
        FileInfo file = await(driver().stat(root + "/a/b/c"));
        assertEquals(77, file.size());
        assertFalse(file.directory());
        assertEquals(root + "/a/b/c", file.path());
        assertTrue(await(driver().stat(root + "/a/b")).directory());
        assertTrue(await(driver().stat(root + "/a")).directory());
        assertMissing(driver().stat(root + "/a/x"));
        assertMissing(driver().stat(root + "/a/b/c/d"));
    }

    @Test
    void fileSizeIsOnlyForFiles() {
        put(root + "/f/b/c", random(78, 15));
        assertEquals(Optional.of(78L), await(driver().fileSize(root + "/f/b/c")));
        assertEquals(Optional.empty(), await(driver().fileSize(root + "/f/b")), "a directory is no file");
        assertEquals(Optional.empty(), await(driver().fileSize(root + "/f/x")));
        assertEquals(Optional.empty(), await(driver().fileSize(root + "/f/b/c/d")));
    }

    @Test
    void listGivesDirectChildrenSorted() {
        put(root + "/d/y/z", random(1, 11));
        put(root + "/d/x", random(2, 12));
        put(root + "/d/y/w", random(3, 13));
        put(root + "/d-sibling", random(4, 14));
        assertEquals(List.of(root + "/d/x", root + "/d/y"), await(driver().list(root + "/d")));
        assertEquals(List.of(root + "/d/y/w", root + "/d/y/z"), await(driver().list(root + "/d/y")));
        assertEquals(List.of(root + "/d", root + "/d-sibling"), await(driver().list(root)));
    }

    @Test
    void walkVisitsEveryFileInPathOrder() {
        List<String> names = List.of("/w/b/2", "/w/a", "/w/b/1/x", "/w/c", "/w/b/10");
        for (int i = 0; i < names.size(); i++) {
            put(root + names.get(i), random(i + 1, 20 + i));
        }
        List<FileInfo> walked = await(driver().walk(root + "/w").collect().asList());
        List<String> expected = names.stream().map(n -> root + n).sorted().toList();
        assertEquals(expected, walked.stream().map(FileInfo::path).toList());
        for (FileInfo info : walked) {
            assertFalse(info.directory());
            assertEquals(names.indexOf(info.path().substring(root.length())) + 1, info.size(), info.path());
        }
    }

    // ---- move, delete -------------------------------------------------------------------------

    @Test
    void moveRenamesAndReplaces() {
        byte[] content = random(70_000, 30);
        put(root + "/src", content);
        put(root + "/dst/data", random(10, 31));
        await(driver().move(root + "/src", root + "/dst/data"));
        assertArrayEquals(content, await(driver().getContent(root + "/dst/data")));
        assertMissing(driver().getContent(root + "/src"));

        await(driver().move(root + "/dst/data", root + "/new/dir/data"));
        assertArrayEquals(content, await(driver().getContent(root + "/new/dir/data")));
        assertMissing(driver().stat(root + "/dst/data"));
    }

    @Test
    void placingPutsTheContentAtTheDestination() {
        byte[] content = random(70_000, 32);
        put(root + "/sized/src", content);
        put(root + "/sized/dst", random(10, 33));
        await(driver().place(root + "/sized/src", root + "/sized/dst", content.length));
        assertArrayEquals(content, await(driver().getContent(root + "/sized/dst")));
        // the source may stay (S3 copies), for its directory's removal; it is never changed
        byte[] left = await(driver().getContent(root + "/sized/src").onFailure(PathNotFoundException.class).recoverWithNull());
        if (left != null) {
            assertArrayEquals(content, left);
        }
        assertMissing(driver().place(root + "/sized/none", root + "/sized/elsewhere", content.length));
    }

    @Test
    void deleteRemovesTreesButNotSiblingsWithTheSamePrefix() {
        put(root + "/a/f", random(1, 40));
        put(root + "/a/b/c", random(2, 41));
        put(root + "/ab/f", random(3, 42));
        put(root + "/a-b", random(4, 43));
        await(driver().delete(root + "/a"));
        assertMissing(driver().stat(root + "/a"));
        assertMissing(driver().getContent(root + "/a/f"));
        assertMissing(driver().getContent(root + "/a/b/c"));
        assertEquals(3, await(driver().getContent(root + "/ab/f")).length);
        assertEquals(4, await(driver().getContent(root + "/a-b")).length);

        await(driver().delete(root + "/a-b"));
        assertMissing(driver().getContent(root + "/a-b"));
        assertEquals(3, await(driver().getContent(root + "/ab/f")).length);
    }

    // ---- concurrency --------------------------------------------------------------------------

    @Test
    void putContentIfAbsentCreatesOnceAmongConcurrentCallers() {
        String path = root + "/once/lock";
        int callers = 16;
        List<Uni<Boolean>> calls = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            calls.add(driver().putContentIfAbsent(path, ("caller " + i).getBytes(StandardCharsets.UTF_8)));
        }
        List<Boolean> created = await(Uni.join().all(calls).andFailFast());
        assertEquals(1, created.stream().filter(Boolean::booleanValue).count(), "callers that created the file: " + created);
        String content = new String(await(driver().getContent(path)), StandardCharsets.UTF_8);
        assertEquals("caller " + created.indexOf(true), content, "the file holds the winner's content");
        assertFalse(await(driver().putContentIfAbsent(path, new byte[] { 1 })));
        assertEquals(content, new String(await(driver().getContent(path)), StandardCharsets.UTF_8));

        await(driver().delete(path));
        assertTrue(await(driver().putContentIfAbsent(path, new byte[] { 2 })), "free again once deleted");
    }

    @Test
    void concurrentPutContentOnOnePathLeavesOneWholeContent() {
        String path = root + "/race/file";
        List<byte[]> contents = new ArrayList<>();
        List<Uni<Void>> puts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] content = random(300_000, 60 + i);
            contents.add(content);
            puts.add(driver().putContent(path, content));
        }
        await(Uni.join().all(puts).andFailFast());
        byte[] stored = await(driver().getContent(path));
        assertTrue(contents.stream().anyMatch(c -> Arrays.equals(c, stored)), "the file is a mix of concurrent writes");
    }

    @Test
    void concurrentWritersOnDistinctPathsDoNotMix() {
        List<byte[]> contents = new ArrayList<>();
        List<Uni<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            byte[] content = random(MIB + i, 70 + i);
            contents.add(content);
            String path = root + "/streams/" + i;
            writes.add(driver().writer(path, false).chain(w -> w.write(pieces(content, 32 * 1024)).chain(n -> w.commit())));
        }
        await(Uni.join().all(writes).andFailFast());
        for (int i = 0; i < contents.size(); i++) {
            assertEquals(sha256(contents.get(i)), sha256(read(root + "/streams/" + i, 0, -1)), "stream " + i);
        }
    }

    @Test
    void aReadDuringAMoveGivesTheWholeFileOrFails() {
        byte[] content = random(4 * MIB, 80);
        put(root + "/moving/src", content);
        assertWholeOrFailed(content, root + "/moving/src", () -> await(driver().move(root + "/moving/src", root + "/moving/dst")));
        assertArrayEquals(content, read(root + "/moving/dst", 0, -1), "the moved file");
        assertMissing(driver().stat(root + "/moving/src"));
    }

    @Test
    void aReadDuringADeleteGivesTheWholeFileOrFails() {
        byte[] content = random(4 * MIB, 81);
        put(root + "/deleting/file", content);
        assertWholeOrFailed(content, root + "/deleting/file", () -> await(driver().delete(root + "/deleting/file")));
        assertMissing(driver().stat(root + "/deleting/file"));
    }

    /**
     * Starts reading {@code path}, runs {@code meanwhile} after the first piece arrived, then reads on:
     * the bytes read are the whole content, or the read fails; a read that ends early without an
     * error would hand a client a short blob as if it were complete.
     */
    private void assertWholeOrFailed(byte[] content, String path, Runnable meanwhile) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Iterator<Buffer> pieces = driver().read(path, 0, -1).subscribe().asIterable(1, ArrayDeque::new).iterator();
        try {
            out.writeBytes(pieces.next().getBytes());
            meanwhile.run();
            while (pieces.hasNext()) {
                out.writeBytes(pieces.next().getBytes());
            }
        } catch (RuntimeException e) {
            return;
        }
        assertEquals(content.length, out.size(), "a read that ended without error is whole");
        assertEquals(sha256(content), sha256(out.toByteArray()));
    }

    // ---- paths --------------------------------------------------------------------------------

    @Test
    void validPathsAreAccepted() {
        // Distribution's valid paths: uppercase, leading, trailing and repeated dots, dashes and underscores
        List<String> names = List.of("/a", "/2", "/aa", "/a.a", "/0-9/abcdefg", "/abcdefg/z.75", "/abc/1.2.3.4.5-6_zyx/123.z/4",
                "/docker/docker-registry", "/123.abc", "/abc./abc", "/.abc", "/a--b", "/a-.b", "/_.abc", "/Docker/docker-registry",
                "/Abc/Cba", "/...", "/a..b");
        byte[] content = random(64, 200);
        for (String name : names) {
            put(root + name, content);
            assertArrayEquals(content, await(driver().getContent(root + name)), name);
        }
    }

    @Test
    void invalidPathsAreRefusedBeforeTheyReachTheDriver() {
        byte[] content = random(64, 201);
        String source = root + "/source";
        put(source, content);
        List<String> invalid = List.of("", "/", "abc", "123.abc", "//bcd", "/abc_123/", root + "/", root + "//x", root + "/a//b",
                root + "/.", root + "/./x", root + "/..", root + "/../x", root + "/a/../../x", root + "/x y", root + "/x~tail",
                root + "/x:y", root + "/x@y", root + "/x+y", root + "/x%2fy", root + "\\x", root + "/\u00e4", root + "/x\n",
                root + "/x\u0000", root + "/x*", "/../" + root.substring(1) + "/x");
        RedirectRequest get = new RedirectRequest("GET", "127.0.0.1");
        for (String path : invalid) {
            assertInvalid(driver().putContent(path, content), path);
            assertInvalid(driver().putContentIfAbsent(path, content), path);
            assertInvalid(driver().getContent(path), path);
            assertInvalid(driver().read(path, 0, -1).collect().asList(), path);
            assertInvalid(driver().writer(path, false), path);
            assertInvalid(driver().writer(path, true), path);
            assertInvalid(driver().move(source, path), path);
            assertInvalid(driver().move(path, root + "/destination"), path);
            assertInvalid(driver().delete(path), path);
            assertInvalid(driver().redirectUrl(get, path), path);
            if (!"/".equals(path)) {
                // the root is a directory: stat, list and walk take it
                assertInvalid(driver().stat(path), path);
                assertInvalid(driver().list(path), path);
                assertInvalid(driver().walk(path).collect().asList(), path);
            }
        }
        assertEquals(List.of(source), list(root), "nothing was written, moved or deleted");
        assertArrayEquals(content, await(driver().getContent(source)));
    }

    // ---- sizes --------------------------------------------------------------------------------

    @Test
    void aLargeFileStreamsThroughWriterMoveAndReads() {
        // several s3 parts (chunksize 5 MiB in the s3 test config), and above multipartcopythresholdsize
        // (32 MiB by default), so s3 moves it by part copies
        byte[] content = random(32 * MIB + 4099, 210);
        String upload = root + "/_uploads/large/data";
        write(upload, content, 256 * 1024 + 3);
        assertEquals(content.length, stat(upload).size());

        String blob = root + "/blobs/large/data";
        await(driver().move(upload, blob));
        assertMissing(driver().stat(upload));
        assertEquals(content.length, stat(blob).size());
        assertDigest(content, 0, -1, blob);
        assertDigest(content, 17 * MIB + 5, 9 * MIB, blob);
        assertDigest(content, content.length - 3, -1, blob);
    }

    private void assertDigest(byte[] content, int offset, int length, String path) {
        byte[] expected = Arrays.copyOfRange(content, offset, length < 0 ? content.length : offset + length);
        Digested read = StorageTestSupport.digest(driver().read(path, offset, length));
        assertEquals(expected.length, read.length(), "bytes read from " + offset);
        assertEquals(sha256(expected), read.sha256(), "digest read from " + offset);
    }

    @Test
    void zeroLengthFilesFromPutContentAndFromWriters() {
        String put = root + "/zero/put";
        put(put, new byte[0]);
        String written = root + "/zero/written";
        FileWriter writer = await(driver().writer(written, false));
        assertEquals(0, await(writer.write(Multi.createFrom().empty())));
        await(writer.close());
        assertEquals(0, writer.size());
        writer = await(driver().writer(written, true));
        assertEquals(0, writer.size());
        assertEquals(0, await(writer.write(pieces(new byte[0], 1))));
        await(writer.commit());

        for (String path : List.of(put, written)) {
            assertEquals(0, await(driver().getContent(path)).length, path);
            FileInfo info = stat(path);
            assertEquals(0, info.size(), path);
            assertFalse(info.directory(), path);
            assertEquals(0, read(path, 0, -1).length, path);
            assertEquals(0, read(path, 0, 10).length, path);
            assertEquals(0, read(path, 3, -1).length, path);
        }
        assertEquals(List.of(put, written), list(root + "/zero"));
        assertEquals(List.of(put, written), walk(root + "/zero"));
        await(driver().move(put, root + "/zero/moved"));
        assertEquals(0, await(driver().getContent(root + "/zero/moved")).length);
        assertMissing(driver().getContent(put));
    }

    // ---- reads --------------------------------------------------------------------------------

    @Test
    void readsAtEveryOffsetAgree() {
        // written in s3 parts of 5 MiB, so ranges start, end and cross at a part boundary
        byte[] content = random(5 * MIB + 333, 220);
        String path = root + "/ranges";
        write(path, content, 1_000_003);
        long size = content.length;
        long[] offsets = {0, 1, 5L * MIB - 1, 5L * MIB, size - 1, size, size + 1, 1L << 40};
        // up to the end exactly, past it, far past it, and as far as a long goes
        long[] lengths = {-1, 0, 1, 2, 4096, size - 1, size + 1, 1L << 40, Long.MAX_VALUE};
        for (long offset : offsets) {
            for (long length : lengths) {
                int from = (int) Math.min(offset, size);
                int to = length < 0 ? (int) size : (int) Math.min(size, Math.min(Long.MAX_VALUE - offset, length) + offset);
                byte[] expected = Arrays.copyOfRange(content, from, Math.max(from, to));
                byte[] got = read(path, offset, length);
                assertEquals(expected.length, got.length, "read(" + offset + ", " + length + ")");
                assertTrue(Arrays.equals(expected, got), "read(" + offset + ", " + length + ")");
            }
        }
    }

    @Test
    void aDirectoryIsNoFileToRead() {
        put(root + "/dir/file", random(10, 221));
        assertMissing(driver().getContent(root + "/dir"));
        assertMissing(driver().read(root + "/dir", 0, -1));
        assertMissing(driver().read(root + "/dir", 5, 1));
    }

    // ---- writers ------------------------------------------------------------------------------

    @Test
    void writerResumesAtEveryKindOfOffset() {
        // a close before any byte, Distribution's 32-byte steps, closes with nothing written since,
        // a resume exactly at and just past an s3 part boundary (5 MiB), a commit with no bytes pending
        byte[] content = random(10 * MIB, 230);
        int[] cuts = {0, 0, 32, 64, 96, 5 * MIB, 5 * MIB, 5 * MIB + 1, 10 * MIB};
        String path = root + "/_uploads/steps/data";
        FileWriter writer = await(driver().writer(path, false));
        for (int i = 0; i + 1 < cuts.length; i++) {
            if (i > 0) {
                writer = await(driver().writer(path, true));
            }
            assertEquals(cuts[i], writer.size(), "size after resume " + i);
            byte[] chunk = Arrays.copyOfRange(content, cuts[i], cuts[i + 1]);
            assertEquals(chunk.length, await(writer.write(pieces(chunk, 1_048_573))));
            assertEquals(cuts[i + 1], writer.size());
            if (i + 2 < cuts.length) {
                await(writer.close());
                assertEquals(cuts[i + 1], writer.size(), "size after close " + i);
            }
        }
        await(writer.commit());
        assertEquals(content.length, stat(path).size());
        assertDigest(content, 0, -1, path);
    }

    @Test
    void aWriteCutShortResumesFromWhatTheWriterKept() {
        byte[] content = random(6 * MIB + 5, 231);
        int cut = 5 * MIB + 12_345;
        // a client that goes away mid-request: the stream fails after some pieces
        Multi<Buffer> cutShort = pieces(Arrays.copyOfRange(content, 0, cut), 65_536)
                .onCompletion().failWith(() -> new IOException("client went away"));
        String path = root + "/_uploads/cut/data";
        FileWriter writer = await(driver().writer(path, false));
        assertThrows(Throwable.class, () -> await(writer.write(cutShort)));
        long kept = writer.size();
        assertTrue(kept >= 0 && kept <= cut, "kept " + kept);
        await(writer.close());

        FileWriter resumed = await(driver().writer(path, true));
        assertEquals(kept, resumed.size());
        byte[] rest = Arrays.copyOfRange(content, (int) kept, content.length);
        assertEquals(rest.length, await(resumed.write(pieces(rest, 100_000))));
        await(resumed.commit());
        assertDigest(content, 0, -1, path);
    }

    @Test
    void aWriteCutShortThenCancelledLeavesNothingReadable() {
        String path = root + "/_uploads/abandoned/data";
        FileWriter writer = await(driver().writer(path, false));
        Multi<Buffer> cutShort = pieces(random(5 * MIB + 7, 232), 65_536).onCompletion().failWith(() -> new IOException("client went away"));
        assertThrows(Throwable.class, () -> await(writer.write(cutShort)));
        await(writer.cancel());
        assertMissing(driver().getContent(path));
        assertMissing(driver().read(path, 0, -1));
        assertMissing(driver().stat(path));
        assertMissing(driver().writer(path, true));
    }

    // ---- stat, list, walk ---------------------------------------------------------------------

    @Test
    void statOfDirectoriesAtEveryDepth() {
        String file = root + "/s/1/2/3/4/file";
        put(file, random(5, 240));
        for (String dir = root + "/s/1/2/3/4"; dir.startsWith(root); dir = dir.substring(0, dir.lastIndexOf('/'))) {
            FileInfo info = stat(dir);
            assertTrue(info.directory(), dir);
            assertEquals(0, info.size(), dir);
            assertEquals(dir, info.path());
        }
        assertTrue(stat("/").directory());
        assertFalse(stat(file).directory());
        assertEquals(5, stat(file).size());
        assertMissing(driver().stat(file + "/below"));
        assertMissing(driver().stat(root + "/s/1/2/3/4/fil"));
        assertMissing(driver().stat(root + "/s/1/2/33"));
        assertMissing(driver().stat(root + "/s/1/2/3/4/file-sibling"));
    }

    @Test
    void listAndWalkADeepTreeWithManySiblings() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            names.add("/t/wide/f" + i);
        }
        names.addAll(List.of("/t/a/b/c/d/deep", "/t/a/b/c/d2", "/t/a/b/c2", "/t/a/b2", "/t/a2", "/t/a-b/x", "/t/a.b",
                "/t/wide/sub/x", "/t/wide/sub/y/z", "/t/Upper/x"));
        List<Uni<Void>> puts = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            puts.add(driver().putContent(root + names.get(i), random(i, 250 + i)));
        }
        await(Uni.join().all(puts).usingConcurrencyOf(16).andFailFast());
        List<String> files = names.stream().map(n -> root + n).sorted().toList();

        // every directory of the tree lists its direct children, files and directories alike
        TreeSet<String> directories = new TreeSet<>();
        for (String file : files) {
            for (String dir = file.substring(0, file.lastIndexOf('/')); dir.startsWith(root + "/t"); dir = dir.substring(0, dir.lastIndexOf('/'))) {
                directories.add(dir);
            }
        }
        for (String dir : directories) {
            TreeSet<String> children = new TreeSet<>();
            for (String file : files) {
                if (file.startsWith(dir + "/")) {
                    int slash = file.indexOf('/', dir.length() + 1);
                    children.add(slash < 0 ? file : file.substring(0, slash));
                }
            }
            assertEquals(List.copyOf(children), list(dir), "list " + dir);
            assertEquals(files.stream().filter(f -> f.startsWith(dir + "/")).toList(), walk(dir), "walk " + dir);
        }
        assertEquals(List.of(root + "/t"), list(root));
        assertTrue(list("/").contains(root), "the root lists this test's directory");
        List<FileInfo> walked = await(driver().walk(root).collect().asList());
        for (FileInfo info : walked) {
            assertEquals(names.indexOf(info.path().substring(root.length())), info.size(), info.path());
        }
    }

    @Test
    void listOrWalkOfAFileOrMissingDirectoryFailsWithPathNotFound() {
        put(root + "/l/file", random(3, 260));
        put(root + "/l-sibling/file", random(3, 261));
        for (String notADirectory : List.of(root + "/l/file", root + "/l/missing", root + "/l/fi", root + "/l/file/below", root + "/l-")) {
            assertMissing(driver().list(notADirectory));
            assertMissing(driver().walk(notADirectory));
        }
    }

    // ---- move, delete -------------------------------------------------------------------------

    @Test
    void moveOverAnExistingFileReplacesItAndRemovesTheSource() {
        byte[] small = random(32, 270);
        String source = root + "/m/source";
        String destination = root + "/m/destination";
        put(source, small);
        write(destination, random(3 * MIB, 271), 65_536);
        await(driver().move(source, destination));
        assertArrayEquals(small, await(driver().getContent(destination)));
        assertEquals(small.length, stat(destination).size());
        assertMissing(driver().getContent(source));
        assertMissing(driver().stat(source));
        assertEquals(List.of(destination), list(root + "/m"));
    }

    @Test
    void moveOfAMissingSourceFailsAndLeavesTheDestination() {
        byte[] content = random(64, 280);
        String destination = root + "/mv/destination";
        put(destination, content);
        assertMissing(driver().move(root + "/mv/missing", destination));
        // below a file (Distribution's TestMoveInvalid)
        assertMissing(driver().move(destination + "/below", root + "/mv/other"));
        assertArrayEquals(content, await(driver().getContent(destination)));
        assertEquals(List.of(destination), list(root + "/mv"));
    }

    @Test
    void deleteOfMissingPathsFailsWithPathNotFound() {
        put(root + "/del/file", random(1, 290));
        put(root + "/del/file-sibling", random(2, 291));
        put(root + "/del-sibling/file", random(3, 292));
        assertMissing(driver().delete(root + "/del/other"));
        assertMissing(driver().delete(root + "/del/fil"));
        assertMissing(driver().delete(root + "/del/file/below"));
        assertMissing(driver().delete(root + "/de"));
        await(driver().delete(root + "/del/file"));
        assertMissing(driver().delete(root + "/del/file"));
        assertEquals(List.of(root + "/del/file-sibling"), list(root + "/del"));
        assertEquals(3, await(driver().getContent(root + "/del-sibling/file")).length);
    }

    @Test
    void aReadDuringADeleteOfItsDirectoryGivesTheWholeFileOrFails() {
        byte[] content = random(4 * MIB, 293);
        put(root + "/tree/a/file", content);
        put(root + "/tree/b", random(5, 294));
        assertWholeOrFailed(content, root + "/tree/a/file", () -> await(driver().delete(root + "/tree")));
        assertMissing(driver().read(root + "/tree/a/file", 0, -1));
        assertMissing(driver().stat(root + "/tree/b"));
    }

    // ---- overwrites, concurrency --------------------------------------------------------------

    @Test
    void putContentOverwritesWhateverWasThere() {
        String path = root + "/over";
        write(path, random(6 * MIB, 300), 65_536);
        for (int size : new int[] {MIB, 1024, 0, 10}) {
            byte[] content = random(size, 301 + size);
            put(path, content);
            assertArrayEquals(content, await(driver().getContent(path)), "size " + size);
            assertEquals(size, stat(path).size());
            assertEquals(size, read(path, 0, -1).length);
        }
    }

    @Test
    void concurrentReadersAndWritersDoNotDisturbEachOther() {
        byte[] shared = random(3 * MIB + 17, 310);
        String path = root + "/shared";
        put(path, shared);
        List<Long> offsets = new ArrayList<>();
        List<Uni<byte[]>> reads = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long offset = (long) i * shared.length / 10 + i;
            offsets.add(offset);
            reads.add(driver().read(path, offset, -1).collect().in(ByteArrayOutputStream::new, (out, b) -> out.writeBytes(b.getBytes()))
                    .map(ByteArrayOutputStream::toByteArray));
        }
        List<byte[]> contents = new ArrayList<>();
        List<Uni<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] content = random(MIB + i, 320 + i);
            contents.add(content);
            String written = root + "/written/" + i;
            writes.add(driver().writer(written, false).chain(w -> w.write(pieces(content, 32 * 1024)).chain(n -> w.commit())));
        }
        var done = await(Uni.combine().all().unis(Uni.join().all(reads).andFailFast(), Uni.join().all(writes).andFailFast()).asTuple());
        for (int i = 0; i < offsets.size(); i++) {
            byte[] expected = Arrays.copyOfRange(shared, (int) (long) offsets.get(i), shared.length);
            assertEquals(sha256(expected), sha256(done.getItem1().get(i)), "reader at " + offsets.get(i));
        }
        for (int i = 0; i < contents.size(); i++) {
            assertEquals(sha256(contents.get(i)), sha256(read(root + "/written/" + i, 0, -1)), "writer " + i);
        }
    }

    // ---- redirects ----------------------------------------------------------------------------

    @Test
    void redirectUrlIsEmptyOrFetchesTheFile() throws Exception {
        byte[] content = random(1000, 330);
        String path = root + "/redirected";
        put(path, content);
        Optional<String> get = await(driver().redirectUrl(new RedirectRequest("GET", "127.0.0.1"), path));
        Optional<String> head = await(driver().redirectUrl(new RedirectRequest("HEAD", "127.0.0.1"), path));
        if (!redirects()) {
            assertEquals(Optional.empty(), get, "a driver without redirects serves bytes itself");
            assertEquals(Optional.empty(), head);
            return;
        }
        assertTrue(get.isPresent(), "a redirecting driver gives a URL for GET");
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(get.get())).timeout(StorageTestSupport.TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertArrayEquals(content, response.body());
    }
}
