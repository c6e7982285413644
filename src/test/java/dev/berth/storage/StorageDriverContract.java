package dev.berth.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * What every storage driver must do, run unchanged on each one (Distribution's testsuites). Each
 * test works below its own random directory, so drivers with shared state (a bucket) can run it.
 */
public abstract class StorageDriverContract {
    protected static final int MIB = StorageTestSupport.MIB;

    protected String root;

    /** The driver under test, as the registry sees it. */
    protected abstract StorageDriver driver();

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
}
