package dev.berth.maintenance;

import static dev.berth.storage.StorageTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.berth.registry.Digest;
import dev.berth.registry.StoragePaths;
import dev.berth.storage.FileInfo;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.middleware.DelegatingStorageDriver;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * What a collection keeps and deletes, on every driver. The collector's clock runs two hours ahead,
 * so everything the test wrote is older than the one-hour grace period.
 */
abstract class GarbageCollectorContract {
    private static final Duration GRACE = Duration.ofHours(1);

    protected abstract StorageDriver driver();

    private LayoutWriter layout;
    private final List<String> lines = new ArrayList<>();

    /** The registry the cases share: see each field. */
    private Digest sharedLayer;
    private Digest tagged;
    private Digest untagged;
    private Digest artifactOnTagged;
    private Digest artifactOnUntagged;
    private Digest childA;
    private Digest childB;
    private Digest index;
    private Digest signatureOnIndex;
    private Digest orphan;
    private Set<Digest> taggedBlobs;
    private Set<Digest> untaggedOnly;
    private Set<Digest> deletedRepositoryOnly;

    @BeforeEach
    void populate() {
        layout = new LayoutWriter(driver());
        sharedLayer = layout.layer("team/app");
        Digest appLayer = layout.layer("team/app");
        tagged = layout.image("team/app", "v1", List.of(sharedLayer, appLayer));
        Digest untaggedLayer = layout.layer("team/app");
        untagged = layout.image("team/app", null, List.of(untaggedLayer));
        artifactOnTagged = layout.image("team/app", null, List.of(layout.layer("team/app")), Optional.of(tagged));
        Digest artifactOnUntaggedLayer = layout.layer("team/app");
        artifactOnUntagged = layout.image("team/app", null, List.of(artifactOnUntaggedLayer), Optional.of(untagged));
        // a multi-platform image in another repository, sharing a layer, with a signature on the index
        Digest otherShared = layout.layer("team/other", layoutBytes(sharedLayer));
        childA = layout.image("team/other", null, List.of(otherShared));
        childB = layout.image("team/other", null, List.of(layout.layer("team/other")));
        index = layout.index("team/other", "latest", List.of(childA, childB), Optional.empty());
        signatureOnIndex = layout.image("team/other", null, List.of(layout.layer("team/other")), Optional.of(index));
        // a repository deleted after its push, and a blob uploaded but never referenced
        Digest goneLayer = layout.layer("team/gone");
        Digest goneImage = layout.image("team/gone", "v1", List.of(goneLayer, sharedLayer));
        Set<Digest> beforeDelete = digests(layout.storedBlobs());
        layout.deleteRepository("team/gone");
        orphan = layout.blob(new byte[] { 1, 2, 3 });
        deletedRepositoryOnly = Set.of(goneLayer, goneImage, configOf(goneImage));
        taggedBlobs = Set.of(tagged, sharedLayer, appLayer, configOf(tagged));
        untaggedOnly = Set.of(untagged, untaggedLayer, configOf(untagged), artifactOnUntagged, artifactOnUntaggedLayer,
                configOf(artifactOnUntagged));
        assertTrue(beforeDelete.containsAll(deletedRepositoryOnly));
    }

    private byte[] layoutBytes(Digest digest) {
        return await(driver().getContent(StoragePaths.blobData(digest)));
    }

    /** The config digest of an image the layout wrote. */
    private Digest configOf(Digest image) {
        String json = new String(layoutBytes(image));
        int at = json.indexOf("\"config\":");
        int start = json.indexOf("sha256:", at);
        return Digest.parse(json.substring(start, start + 71));
    }

    private static Set<Digest> digests(Set<String> texts) {
        return texts.stream().map(Digest::parse).collect(Collectors.toSet());
    }

    private GcReport collect(StorageDriver driver, boolean dryRun, boolean deleteUntagged, Clock clock) {
        lines.clear();
        return await(new GarbageCollector(driver, clock, Duration.ZERO).run(new GcOptions(dryRun, deleteUntagged, GRACE), line -> {
            synchronized (lines) {
                lines.add(line);
            }
        }));
    }

    private GcReport collect(boolean dryRun, boolean deleteUntagged) {
        return collect(driver(), dryRun, deleteUntagged, later());
    }

    private static Clock later() {
        return Clock.fixed(Instant.now().plus(Duration.ofHours(2)), ZoneOffset.UTC);
    }

    @Test
    void withoutDeleteUntaggedKeepsEveryLinkedManifestAndWhatItReferences() {
        Set<String> before = layout.storedBlobs();
        GcReport report = collect(false, false);
        Set<String> expected = new TreeSet<>(before);
        expected.remove(orphan.toString());
        deletedRepositoryOnly.forEach(d -> expected.remove(d.toString()));
        assertEquals(expected, layout.storedBlobs());
        assertEquals(4, report.blobsDeleted(), lines.toString());
        assertEquals(0, report.manifestsDeleted());
        assertTrue(report.bytesFreed() > 0);
        assertTrue(lines.contains("deleting blob: " + orphan), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("team/app: marking manifest " + untagged)), lines.toString());
        assertTrue(lines.get(lines.size() - 1).startsWith("gc: "), lines.toString());
    }

    @Test
    void deleteUntaggedKeepsTagsTheirChildrenAndReferrersAndDeletesTheRest() {
        // a repository without any tag (registry:2.8's collector stops on one)
        Digest taglessLayer = layout.layer("team/tagless");
        Digest tagless = layout.image("team/tagless", null, List.of(taglessLayer));
        Set<Digest> taglessBlobs = Set.of(tagless, taglessLayer, configOf(tagless));
        Set<String> before = layout.storedBlobs();
        Digest untaggedConfig = configOf(untagged);
        GcReport report = collect(false, true);
        Set<String> expected = new TreeSet<>(before);
        Stream.of(Set.of(orphan), deletedRepositoryOnly, untaggedOnly, taglessBlobs).flatMap(Set::stream)
                .forEach(d -> expected.remove(d.toString()));
        assertEquals(expected, layout.storedBlobs(), lines.toString());
        Set<String> stored = layout.storedBlobs();
        for (Digest kept : List.of(tagged, artifactOnTagged, childA, childB, index, signatureOnIndex, sharedLayer)) {
            assertTrue(stored.contains(kept.toString()), kept + " kept");
        }
        assertTrue(stored.containsAll(taggedBlobs.stream().map(Digest::toString).toList()));
        assertEquals(3, report.manifestsDeleted(), lines.toString());
        assertFalse(layout.exists(StoragePaths.manifestRevisionLink("team/app", untagged)));
        assertFalse(layout.exists(StoragePaths.referrerLink("team/app", untagged, artifactOnUntagged)));
        assertTrue(layout.exists(StoragePaths.referrerLink("team/app", tagged, artifactOnTagged)));
        assertTrue(layout.exists(StoragePaths.manifestRevisionLink("team/other", childA)));
        assertTrue(layout.exists(StoragePaths.manifestRevisionLink("team/other", signatureOnIndex)));
        // the links of swept blobs go with them
        assertFalse(layout.exists(StoragePaths.layerLink("team/app", untaggedConfig)));
        assertTrue(layout.exists(StoragePaths.layerLink("team/app", sharedLayer)));
    }

    @Test
    void dryRunDeletesNothingAndReportsWhatItWould() {
        Set<String> before = layout.storedBlobs();
        GcReport dry = collect(true, true);
        assertEquals(before, layout.storedBlobs());
        assertTrue(layout.exists(StoragePaths.manifestRevisionLink("team/app", untagged)));
        assertTrue(lines.contains("blob eligible for deletion: " + orphan), lines.toString());
        GcReport real = collect(false, true);
        assertEquals(dry.blobsDeleted(), real.blobsDeleted());
        assertEquals(dry.bytesFreed(), real.bytesFreed());
        assertEquals(dry.manifestsDeleted(), real.manifestsDeleted());
    }

    @Test
    void nothingWrittenOrLinkedWithinTheGracePeriodIsDeleted() {
        Set<String> before = layout.storedBlobs();
        GcReport report = collect(driver(), false, true, Clock.systemUTC());
        assertEquals(before, layout.storedBlobs(), lines.toString());
        assertEquals(0, report.blobsDeleted());
        assertEquals(0, report.manifestsDeleted());
    }

    /**
     * A manifest pushed after the first mark, referencing a blob nothing referenced (an image pushed
     * again after its manifest was deleted): the second mark sees it, and the blob stays.
     */
    @Test
    void aManifestPushedBetweenMarkAndSweepKeepsWhatItReferences() {
        AtomicInteger walks = new AtomicInteger();
        Digest[] pushed = new Digest[1];
        StorageDriver racing = new DelegatingStorageDriver(driver()) {
            @Override
            public Multi<FileInfo> walk(String path) {
                // the second walk of the repositories is the second mark's: push just before it
                if (path.equals(StoragePaths.REPOSITORIES) && walks.incrementAndGet() == 2) {
                    // the writer waits for storage: off the driver's thread
                    return Uni.createFrom().item(() -> pushed[0] = layout.image("team/app", "again", List.of(orphan)))
                            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                            .onItem().transformToMulti(ignored -> super.walk(path));
                }
                return super.walk(path);
            }
        };
        layout.layer("team/app", new byte[] { 1, 2, 3 }); // the client's HEAD found the old blob linked
        Set<String> before = layout.storedBlobs();
        collect(racing, false, true, later());
        assertTrue(pushed[0] != null, "the push ran during the collection");
        Set<String> stored = layout.storedBlobs();
        assertTrue(stored.contains(orphan.toString()), lines.toString());
        assertTrue(stored.contains(pushed[0].toString()));
        assertTrue(stored.contains(configOf(pushed[0]).toString()));
        assertTrue(before.size() > stored.size(), "the collection still swept the rest");
    }

    /**
     * The race two marks leave: a push that validated its references before the sweep (the blob's link in
     * its repository was there) and commits its revision after the sweep removed the candidates' links.
     * The sweep re-reads what was committed meanwhile, so the blob and its link stay.
     */
    @Test
    void aManifestThatValidatedBeforeTheSweepAndCommitsDuringItKeepsWhatItReferences() {
        String link = StoragePaths.layerLink("team/app", orphan);
        RacingPush racing = new RacingPush(link, () -> layout.image("team/app", "again", List.of(orphan)));
        layout.layer("team/app", new byte[] { 1, 2, 3 }); // the client's HEAD found the old blob linked
        Set<String> before = layout.storedBlobs();
        collect(racing, false, true, later());
        assertTrue(racing.pushed != null, "the push ran during the sweep");
        assertTrue(racing.checked, "the push found the link before the sweep");
        assertTrue(racing.goneAfter, "a push validating after the first phase finds no link: BLOB_UNKNOWN");
        Set<String> stored = layout.storedBlobs();
        assertTrue(stored.contains(orphan.toString()), lines.toString());
        assertTrue(layout.exists(link), "the link the push validated is restored");
        assertTrue(stored.contains(racing.pushed.toString()));
        assertTrue(stored.contains(configOf(racing.pushed).toString()));
        assertTrue(lines.contains("gc: kept after all, committed during the sweep: blob " + orphan), lines.toString());
        assertTrue(before.size() > stored.size(), "the collection still swept the rest");
    }

    /**
     * The same race for an index: it validated its child's revision link before the sweep removed that
     * untagged revision, and commits during the sweep. The child's revision and its blobs stay.
     */
    @Test
    void anIndexThatValidatedBeforeTheSweepKeepsItsUntaggedChild() {
        String revision = StoragePaths.manifestRevisionLink("team/app", untagged);
        RacingPush racing = new RacingPush(revision, () -> layout.index("team/app", "multi", List.of(untagged), Optional.empty()));
        collect(racing, false, true, later());
        assertTrue(racing.pushed != null && racing.checked && racing.goneAfter, "the push raced the sweep");
        assertTrue(layout.exists(revision), "the child's revision link is restored");
        Set<String> stored = layout.storedBlobs();
        for (Digest kept : List.of(racing.pushed, untagged, configOf(untagged))) {
            assertTrue(stored.contains(kept.toString()), kept + " kept: " + lines);
        }
        assertFalse(stored.contains(orphan.toString()), "the collection still swept the rest");
    }

    /**
     * An upload completing during the sweep for a blob the storage already holds unreferenced (a layer
     * pushed again): completion only links it. The link comes after the sweep removed the candidates'
     * links and before it deletes their data; the sweep re-reads the links, so the blob stays.
     */
    @Test
    void anUploadCompletingDuringTheSweepKeepsTheBlobItLinks() {
        String link = StoragePaths.layerLink("team/new", orphan);
        AtomicInteger deletes = new AtomicInteger();
        StorageDriver racing = new DelegatingStorageDriver(driver()) {
            @Override
            public Uni<Void> deleteFiles(List<String> paths) {
                if (deletes.incrementAndGet() > 1) {
                    return super.deleteFiles(paths);
                }
                // the first batch is the candidates' links: the upload completes right after it
                return super.deleteFiles(paths).chain(() -> driver.putContent(link, orphan.toString().getBytes(StandardCharsets.UTF_8)));
            }
        };
        collect(racing, false, true, later());
        assertTrue(deletes.get() > 1, "the sweep deleted links, then data");
        assertTrue(layout.exists(link), "the upload's link stays");
        Set<String> stored = layout.storedBlobs();
        assertTrue(stored.contains(orphan.toString()), "the blob the upload linked was deleted: " + lines);
        assertFalse(stored.stream().anyMatch(d -> deletedRepositoryOnly.contains(Digest.parse(d))), "the collection still swept the rest");
    }

    /**
     * The last window: a manifest {@code PUT} that finds its content stored without any link (the same
     * bytes pushed before and deleted) reuses it, and commits its revision after the sweep's third read,
     * just before the data would be deleted. The content is moved aside, seen linked by the last read,
     * and moved back.
     */
    @Test
    void aManifestReusingContentCommittedJustBeforeItsDeleteKeepsIt() {
        Digest reused = layout.image("team/reused", "v1", List.of(sharedLayer));
        layout.deleteRepository("team/reused");
        String revision = StoragePaths.manifestRevisionLink("team/app", reused);
        AtomicInteger moves = new AtomicInteger();
        StorageDriver racing = new DelegatingStorageDriver(driver()) {
            @Override
            public Uni<Void> move(String source, String destination) {
                if (destination.startsWith(Trash.ROOT) && moves.getAndIncrement() == 0) {
                    // the PUT commits its revision link now, after the third read
                    return driver.putContent(revision, reused.toString().getBytes(StandardCharsets.UTF_8))
                            .chain(() -> super.move(source, destination));
                }
                return super.move(source, destination);
            }
        };
        collect(racing, false, false, later());
        assertTrue(moves.get() > 0, "data was moved aside");
        assertTrue(layout.exists(revision));
        assertTrue(layout.storedBlobs().contains(reused.toString()), "the committed manifest lost its content: " + lines);
        assertTrue(lines.contains("gc: kept after all, a manifest pushed during the sweep reuses it: blob " + reused), lines.toString());
        assertFalse(layout.storedBlobs().contains(orphan.toString()), "the collection still swept the rest");
        assertTrue(trashed().isEmpty(), "the trash is emptied");
    }

    /** A run that stopped with data aside leaves it for the next, which moves it back and decides again. */
    @Test
    void dataLeftAsideByAStoppedRunIsMovedBackAndDecidedAgain() {
        byte[] kept = layoutBytes(tagged);
        await(driver().move(StoragePaths.blobData(tagged), Trash.path(tagged)));
        await(driver().move(StoragePaths.blobData(orphan), Trash.path(orphan)));
        collect(false, false);
        assertTrue(layout.storedBlobs().contains(tagged.toString()), "a tagged manifest's content stays: " + lines);
        assertArrayEquals(kept, layoutBytes(tagged));
        assertFalse(layout.storedBlobs().contains(orphan.toString()), "garbage left aside is collected");
        assertTrue(trashed().isEmpty(), "the trash is emptied");
    }

    private List<FileInfo> trashed() {
        return await(driver().walk(Trash.ROOT).collect().asList().onFailure(PathNotFoundException.class).recoverWithItem(List.of()));
    }

    /** A push that checks {@code link} just before the sweep deletes it, and commits just after that delete. */
    private final class RacingPush extends DelegatingStorageDriver {
        private final String link;
        private final Supplier<Digest> push;
        volatile boolean checked;
        volatile boolean goneAfter;
        volatile Digest pushed;

        RacingPush(String link, Supplier<Digest> push) {
            super(driver());
            this.link = link;
            this.push = push;
        }

        @Override
        public Uni<Void> deleteFiles(List<String> paths) {
            if (!paths.contains(link) || pushed != null) {
                return super.deleteFiles(paths);
            }
            return worker(() -> checked = layout.exists(link))
                    .chain(() -> super.deleteFiles(paths))
                    .chain(() -> worker(() -> {
                        goneAfter = !layout.exists(link);
                        return pushed = push.get();
                    }))
                    .replaceWithVoid();
        }

        /** The layout writer waits for storage: off the driver's threads. */
        private static <T> Uni<T> worker(Supplier<T> work) {
            return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        }
    }
}
