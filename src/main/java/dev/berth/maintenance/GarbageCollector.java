package dev.berth.maintenance;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import dev.berth.config.GoDuration;
import dev.berth.maintenance.Inventory.Blob;
import dev.berth.maintenance.Inventory.Link;
import dev.berth.maintenance.Marker.Marks;
import dev.berth.maintenance.LateCommits.Spared;
import dev.berth.maintenance.Marker.Revision;
import dev.berth.registry.Digest;
import dev.berth.registry.Links;
import dev.berth.registry.Manifests;
import dev.berth.storage.StorageDriver;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Mark and sweep over Distribution's layout, safe while replicas serve the same storage (docs/gc.md
 * gives the argument): what is written or linked within the grace period is never deleted, and only
 * what two complete marks, the second begun after the first ended, both found unreachable is swept,
 * in phases that spare what a push committed during the sweep.
 */
public final class GarbageCollector {
    /** Paths per delete call, so long sweeps report progress (and S3 gets full 1,000-key batches). */
    private static final int SWEEP_CHUNK = 4000;

    private final StorageDriver driver;
    private final Clock clock;
    private final Duration settle;
    private SweepListener listener = SweepListener.NONE;

    /** Told what a sweep removed, once storage no longer has it, so caches shared between replicas drop it too. */
    interface SweepListener {
        SweepListener NONE = new SweepListener() {
        };

        /** Manifest revision and layer links removed (the first step of a sweep, before it waits for pushes to settle). */
        default Uni<Void> unlinked(List<Link> links) {
            return Uni.createFrom().voidItem();
        }

        /** Blobs whose data was deleted. */
        default Uni<Void> deleted(List<Digest> blobs) {
            return Uni.createFrom().voidItem();
        }
    }

    /**
     * @param settle how long the sweep waits between removing the candidates' links and re-reading the
     *        storage: longer than a manifest push takes from validating its references to committing
     */
    public GarbageCollector(StorageDriver driver, Clock clock, Duration settle) {
        this.driver = driver;
        this.clock = clock;
        this.settle = settle;
    }

    GarbageCollector onSweep(SweepListener sweepListener) {
        this.listener = sweepListener;
        return this;
    }

    /** {@code out} receives the marks, the deletes (or would-deletes) and progress lines. */
    public Uni<GcReport> run(GcOptions options, Consumer<String> out) {
        Instant start = clock.instant();
        Instant cutoff = start.minus(options.grace());
        ManifestGraph graph = new ManifestGraph(driver);
        out.accept("gc: scanning storage (grace " + GoDuration.format(options.grace()) + ": nothing written or linked after " + cutoff + " is deleted)");
        Uni<Void> recovered = options.dryRun() ? Uni.createFrom().voidItem() : new Trash(driver).recover(out);
        return recovered.chain(() -> Inventory.scan(driver)).chain(first -> {
            out.accept(String.format("gc: marking %d manifest revisions in %d repositories, %d blobs stored", first.revisions().size(),
                    first.revisions().stream().map(Link::repository).distinct().count(), first.blobs().size()));
            return new Marker(graph, options.deleteUntagged(), cutoff, out).mark(first).chain(marks -> {
                if (options.dryRun()) {
                    return Uni.createFrom().item(plan(first, marks, marks, options, out, start, graph, cutoff));
                }
                // the second mark sees everything committed while the first ran: only what both leave unmarked goes
                out.accept("gc: marking again to see what was pushed during the first mark");
                return Inventory.scan(driver).chain(second -> new Marker(graph, options.deleteUntagged(), cutoff, line -> {
                }).mark(second).chain(again -> Uni.createFrom().item(plan(second, marks, again, options, out, start, graph, cutoff))));
            });
        }).chain(plan -> plan.execute());
    }

    /** What to delete: unmarked by {@code first} and by {@code second}, found in {@code inventory} (the later one). */
    private Plan plan(Inventory inventory, Marks first, Marks second, GcOptions options, Consumer<String> out, Instant start,
            ManifestGraph graph, Instant cutoff) {
        Set<Revision> firstUnkept = first.unkept().stream().map(l -> new Revision(l.repository(), l.digest())).collect(Collectors.toSet());
        List<Link> manifests = second.unkept().stream()
                .filter(l -> firstUnkept.contains(new Revision(l.repository(), l.digest()))).toList();
        for (Link revision : manifests) {
            out.accept((options.dryRun() ? "would delete manifest " : "deleting manifest ") + revision.repository() + "@" + revision.digest());
        }
        List<Blob> blobs = inventory.blobs().stream()
                .filter(b -> !first.blobs().contains(b.digest()) && !second.blobs().contains(b.digest())).toList();
        for (Blob blob : blobs) {
            out.accept((options.dryRun() ? "blob eligible for deletion: " : "deleting blob: ") + blob.digest());
        }
        return new Plan(options, out, start, graph, cutoff, inventory, second.kept().size(), manifests, blobs);
    }

    private static Revision revision(Link link) {
        return new Revision(link.repository(), link.digest());
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * The sweep, in phases (docs/gc.md): (1) delete the doomed revision links and the candidates' layer
     * links, so a push can no longer validate against them; (2) wait out pushes that validated before;
     * (3) spare what was committed since the second mark, restoring its links; (4) delete the rest:
     * tag-history and referrer links of deleted revisions, then blob data, where data that could be a
     * manifest goes through the {@link Trash}. No step leaves a link to something gone.
     */
    private final class Plan {
        private final GcOptions options;
        private final Consumer<String> out;
        private final Instant start;
        private final ManifestGraph graph;
        private final Instant cutoff;
        private final Inventory inventory;
        private final int manifestsKept;
        private final List<Link> manifests;
        private final List<Blob> blobs;

        Plan(GcOptions options, Consumer<String> out, Instant start, ManifestGraph graph, Instant cutoff, Inventory inventory,
                int manifestsKept, List<Link> manifests, List<Blob> blobs) {
            this.options = options;
            this.out = out;
            this.start = start;
            this.graph = graph;
            this.cutoff = cutoff;
            this.inventory = inventory;
            this.manifestsKept = manifestsKept;
            this.manifests = manifests;
            this.blobs = blobs;
        }

        Uni<GcReport> execute() {
            List<Link> layerLinks = layerLinks(blobs);
            if (options.dryRun()) {
                return Uni.createFrom().item(done(manifests, blobs, layerLinks));
            }
            Uni<Void> settled = settle.isZero() ? Uni.createFrom().voidItem()
                    : Uni.createFrom().voidItem().onItem().delayIt().by(settle);
            return delete("manifest revisions and layer links", paths(concat(manifests, layerLinks)))
                    .chain(() -> listener.unlinked(concat(manifests, layerLinks)))
                    .invoke(() -> out.accept("gc: waiting " + GoDuration.format(settle) + " for pushes that validated before the links went"))
                    .chain(() -> settled)
                    .chain(() -> Inventory.scan(driver))
                    .chain(now -> new LateCommits(graph, cutoff).find(inventory, now).chain(spared -> sweep(spared, now, layerLinks)));
        }

        /** Restores what late commits reference, then deletes the rest. */
        private Uni<GcReport> sweep(Spared spared, Inventory now, List<Link> layerLinks) {
            List<Link> restoredRevisions = manifests.stream().filter(l -> spared.revisions().contains(revision(l))).toList();
            List<Blob> restoredBlobs = blobs.stream().filter(b -> spared.blobs().contains(b.digest())).toList();
            Set<Digest> rescued = restoredBlobs.stream().map(Blob::digest).collect(Collectors.toSet());
            Set<String> present = now.layers().stream().map(Link::path).collect(Collectors.toSet());
            List<Link> restoredLinks = layerLinks.stream().filter(l -> rescued.contains(l.digest()) && !present.contains(l.path())).toList();
            concat(restoredRevisions, restoredLinks).forEach(l -> out.accept("gc: kept after all, committed during the sweep: " + l.path()));
            restoredBlobs.forEach(b -> out.accept("gc: kept after all, committed during the sweep: blob " + b.digest()));
            List<Link> deletedManifests = manifests.stream().filter(l -> !restoredRevisions.contains(l)).toList();
            List<Blob> deletedBlobs = blobs.stream().filter(b -> !rescued.contains(b.digest())).toList();
            Set<Revision> doomed = deletedManifests.stream().map(GarbageCollector::revision).collect(Collectors.toSet());
            // a deleted revision's tag history and referrer links go with it
            List<String> sideLinks = concat(inventory.tagIndexes(), inventory.referrers()).stream()
                    .filter(l -> doomed.contains(revision(l))).map(Link::path).toList();
            List<Link> deletedLinks = layerLinks.stream().filter(l -> !rescued.contains(l.digest())).toList();
            List<Blob> manifestSized = deletedBlobs.stream().filter(b -> b.size() <= Manifests.MAX_BYTES).toList();
            List<String> larger = deletedBlobs.stream().filter(b -> b.size() > Manifests.MAX_BYTES).map(Blob::path).toList();
            Trash trash = new Trash(driver);
            return Multi.createFrom().iterable(concat(restoredRevisions, restoredLinks))
                    .onItem().transformToUniAndConcatenate(l -> Links.write(driver, l.path(), l.digest()))
                    .collect().last()
                    .chain(() -> delete("tag history and referrer links", sideLinks))
                    .chain(() -> delete("blobs", larger))
                    .chain(() -> trash.hold(manifestSized))
                    // the last read: a manifest committed since phase 3 that reuses content moved aside gets it back
                    .chain(() -> manifestSized.isEmpty() ? Uni.createFrom().item(Set.<Digest>of())
                            : Inventory.scanLinks(driver).chain(last -> trash.release(manifestSized, last, out)))
                    .chain(back -> {
                        List<Blob> gone = deletedBlobs.stream().filter(b -> !back.contains(b.digest())).toList();
                        return listener.deleted(gone.stream().map(Blob::digest).toList())
                                .map(v -> done(deletedManifests, gone, deletedLinks, sideLinks.size()));
                    });
        }

        private List<Link> layerLinks(List<Blob> candidates) {
            Set<Digest> digests = candidates.stream().map(Blob::digest).collect(Collectors.toSet());
            return inventory.layers().stream().filter(l -> digests.contains(l.digest())).toList();
        }

        private GcReport done(List<Link> deletedManifests, List<Blob> deletedBlobs, List<Link> layerLinks) {
            Set<Revision> doomed = deletedManifests.stream().map(GarbageCollector::revision).collect(Collectors.toSet());
            long sideLinks = concat(inventory.tagIndexes(), inventory.referrers()).stream().filter(l -> doomed.contains(revision(l))).count();
            return done(deletedManifests, deletedBlobs, layerLinks, (int) sideLinks);
        }

        private GcReport done(List<Link> deletedManifests, List<Blob> deletedBlobs, List<Link> layerLinks, int sideLinks) {
            long bytes = deletedBlobs.stream().mapToLong(Blob::size).sum();
            GcReport report = new GcReport(options.dryRun(), manifestsKept + manifests.size() - deletedManifests.size(),
                    inventory.blobs().size() - deletedBlobs.size(), deletedBlobs.size(), bytes, deletedManifests.size(),
                    sideLinks + layerLinks.size(), Duration.between(start, clock.instant()));
            out.accept("gc: " + report.summary());
            return report;
        }

        private static List<String> paths(List<Link> links) {
            return links.stream().map(Link::path).toList();
        }

        private Uni<Void> delete(String what, List<String> paths) {
            if (paths.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            List<List<String>> chunks = new ArrayList<>();
            for (int at = 0; at < paths.size(); at += SWEEP_CHUNK) {
                chunks.add(paths.subList(at, Math.min(paths.size(), at + SWEEP_CHUNK)));
            }
            int[] done = {0};
            return Multi.createFrom().iterable(chunks)
                    .onItem().transformToUniAndConcatenate(chunk -> driver.deleteFiles(chunk).invoke(() -> {
                        done[0] += chunk.size();
                        out.accept("gc: deleted " + done[0] + " of " + paths.size() + " " + what);
                    }))
                    .collect().last().replaceWithVoid();
        }
    }

}
