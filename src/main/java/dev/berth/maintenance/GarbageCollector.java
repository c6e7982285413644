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
import dev.berth.maintenance.Marker.Revision;
import dev.berth.registry.Digest;
import dev.berth.storage.StorageDriver;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Mark and sweep over Distribution's layout, safe while replicas serve the same storage (docs/gc.md
 * gives the argument): what is written or linked within the grace period is never deleted, and only
 * what two complete marks, the second begun after the first ended, both found unreachable is swept.
 */
public final class GarbageCollector {
    /** Paths per delete call, so long sweeps report progress (and S3 gets full 1,000-key batches). */
    private static final int SWEEP_CHUNK = 4000;

    private final StorageDriver driver;
    private final Clock clock;

    public GarbageCollector(StorageDriver driver, Clock clock) {
        this.driver = driver;
        this.clock = clock;
    }

    /** {@code out} receives the marks, the deletes (or would-deletes) and progress lines. */
    public Uni<GcReport> run(GcOptions options, Consumer<String> out) {
        Instant start = clock.instant();
        Instant cutoff = start.minus(options.grace());
        ManifestGraph graph = new ManifestGraph(driver);
        out.accept("gc: scanning storage (grace " + GoDuration.format(options.grace()) + ": nothing written or linked after " + cutoff + " is deleted)");
        return Inventory.scan(driver).chain(first -> {
            out.accept(String.format("gc: marking %d manifest revisions in %d repositories, %d blobs stored", first.revisions().size(),
                    first.revisions().stream().map(Link::repository).distinct().count(), first.blobs().size()));
            return new Marker(graph, options.deleteUntagged(), cutoff, out).mark(first).chain(marks -> {
                if (options.dryRun()) {
                    return Uni.createFrom().item(plan(first, marks, marks, options, out, start));
                }
                // the second mark sees everything committed while the first ran: only what both leave unmarked goes
                out.accept("gc: marking again to see what was pushed during the first mark");
                return Inventory.scan(driver).chain(second -> new Marker(graph, options.deleteUntagged(), cutoff, line -> {
                }).mark(second).chain(again -> Uni.createFrom().item(plan(second, marks, again, options, out, start))));
            });
        }).chain(plan -> plan.execute());
    }

    /** What to delete: unmarked by {@code first} and by {@code second}, found in {@code inventory} (the later one). */
    private Plan plan(Inventory inventory, Marks first, Marks second, GcOptions options, Consumer<String> out, Instant start) {
        Set<Revision> firstUnkept = first.unkept().stream().map(l -> new Revision(l.repository(), l.digest())).collect(Collectors.toSet());
        List<Link> manifests = second.unkept().stream()
                .filter(l -> firstUnkept.contains(new Revision(l.repository(), l.digest()))).toList();
        Set<Revision> doomed = manifests.stream().map(l -> new Revision(l.repository(), l.digest())).collect(Collectors.toSet());
        List<String> manifestFiles = new ArrayList<>();
        for (Link revision : manifests) {
            out.accept((options.dryRun() ? "would delete manifest " : "deleting manifest ") + revision.repository() + "@" + revision.digest());
            manifestFiles.add(revision.path());
        }
        // a deleted revision's tag history and referrer link go with it
        for (Link link : concat(inventory.tagIndexes(), inventory.referrers())) {
            if (doomed.contains(new Revision(link.repository(), link.digest()))) {
                manifestFiles.add(link.path());
            }
        }
        List<Blob> blobs = inventory.blobs().stream()
                .filter(b -> !first.blobs().contains(b.digest()) && !second.blobs().contains(b.digest())).toList();
        Set<Digest> swept = new HashSet<>();
        long bytes = 0;
        for (Blob blob : blobs) {
            out.accept((options.dryRun() ? "blob eligible for deletion: " : "deleting blob: ") + blob.digest());
            swept.add(blob.digest());
            bytes += blob.size();
        }
        // a repository's link to a swept blob would only promise what is gone
        List<String> layerLinks = inventory.layers().stream().filter(l -> swept.contains(l.digest())).map(Link::path).toList();
        int blobsKept = inventory.blobs().size() - blobs.size();
        return new Plan(options, out, start, manifestFiles, layerLinks, blobs.stream().map(Blob::path).toList(),
                new GcReport(options.dryRun(), second.kept().size(), blobsKept, blobs.size(), bytes, manifests.size(),
                        manifestFiles.size() - manifests.size() + layerLinks.size(), Duration.ZERO));
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The deletes, in an order that never leaves a link to something gone: manifests, then links, then data. */
    private final class Plan {
        private final GcOptions options;
        private final Consumer<String> out;
        private final Instant start;
        private final List<String> manifestFiles;
        private final List<String> layerLinks;
        private final List<String> blobData;
        private final GcReport report;

        Plan(GcOptions options, Consumer<String> out, Instant start, List<String> manifestFiles, List<String> layerLinks,
                List<String> blobData, GcReport report) {
            this.options = options;
            this.out = out;
            this.start = start;
            this.manifestFiles = manifestFiles;
            this.layerLinks = layerLinks;
            this.blobData = blobData;
            this.report = report;
        }

        Uni<GcReport> execute() {
            Uni<Void> deletes = options.dryRun() ? Uni.createFrom().voidItem()
                    : delete("manifest files", manifestFiles).chain(() -> delete("layer links", layerLinks)).chain(() -> delete("blobs", blobData));
            return deletes.map(v -> {
                GcReport done = new GcReport(report.dryRun(), report.manifestsKept(), report.blobsKept(), report.blobsDeleted(),
                        report.bytesFreed(), report.manifestsDeleted(), report.linksDeleted(), Duration.between(start, clock.instant()));
                out.accept("gc: " + done.summary());
                return done;
            });
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
