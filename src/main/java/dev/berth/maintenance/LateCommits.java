package dev.berth.maintenance;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import dev.berth.maintenance.Inventory.Link;
import dev.berth.maintenance.Marker.Marks;
import dev.berth.registry.Digest;
import io.smallrye.mutiny.Uni;

/**
 * Phase 3 of the sweep (docs/gc.md): what was committed after the second mark read the storage, and so
 * must be spared. Reads a fresh inventory, taken once the candidates' links are gone and pushes that
 * validated against them have had time to commit.
 */
final class LateCommits {
    /** What the late commits reference: manifests (with their repository) and blobs. */
    record Spared(Set<Marker.Revision> revisions, Set<Digest> blobs) {
    }

    private final ManifestGraph graph;
    private final Instant cutoff;

    LateCommits(ManifestGraph graph, Instant cutoff) {
        this.graph = graph;
        this.cutoff = cutoff;
    }

    /**
     * Marks from every revision {@code now} holds that {@code marked} (the second mark's inventory) did not,
     * or that was rewritten within the grace period, and adds every blob a repository links again.
     */
    Uni<Spared> find(Inventory marked, Inventory now) {
        Set<String> seen = marked.revisions().stream().map(Link::path).collect(Collectors.toSet());
        List<Link> late = now.revisions().stream().filter(l -> !seen.contains(l.path()) || l.modified().isAfter(cutoff)).toList();
        Inventory roots = new Inventory(late, List.of(), List.of(), List.of(), List.of(), List.of());
        // deleteuntagged off: every late revision is a root; the marker adds children, referrers and blobs
        return new Marker(graph, false, cutoff, line -> {
        }).mark(roots).map(marks -> spared(marks, now));
    }

    private static Spared spared(Marks marks, Inventory now) {
        Set<Digest> blobs = new HashSet<>(marks.blobs());
        // a layer link present now was written after the sweep removed the candidates' links (upload, mount)
        now.layers().forEach(l -> blobs.add(l.digest()));
        return new Spared(marks.kept(), blobs);
    }
}
