package dev.berth.maintenance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import dev.berth.maintenance.Inventory.Link;
import dev.berth.registry.Digest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The mark phase over one {@link Inventory}: which manifest revisions each repository keeps, and which
 * blobs any kept manifest (or the grace period) protects.
 */
final class Marker {
    /** Manifests read at once. */
    private static final int READS = 16;

    /** A repository's manifest revision. */
    record Revision(String repository, Digest digest) {
    }

    /** What a mark found: kept revisions, revisions to delete (only with deleteuntagged), protected blobs. */
    record Marks(Set<Revision> kept, List<Link> unkept, Set<Digest> blobs) {
    }

    private final ManifestGraph graph;
    private final boolean deleteUntagged;
    private final Instant cutoff;
    private final Consumer<String> out;

    /**
     * @param cutoff links and blob data modified after it are protected (the run's start minus the grace period)
     * @param out where "marking" lines go
     */
    Marker(ManifestGraph graph, boolean deleteUntagged, Instant cutoff, Consumer<String> out) {
        this.graph = graph;
        this.deleteUntagged = deleteUntagged;
        this.cutoff = cutoff;
        this.out = out;
    }

    Uni<Marks> mark(Inventory inventory) {
        Map<String, List<Link>> byRepository = inventory.revisions().stream().collect(Collectors.groupingBy(Link::repository));
        Map<String, List<Link>> tagsByRepository = inventory.tags().stream().collect(Collectors.groupingBy(Link::repository));
        Set<Revision> kept = new HashSet<>();
        List<Link> unkept = new ArrayList<>();
        Set<Digest> blobs = new HashSet<>();
        // the grace period: recent data and recent links protect their blob, whatever references it
        inventory.blobs().stream().filter(b -> b.modified().isAfter(cutoff)).forEach(b -> blobs.add(b.digest()));
        inventory.layers().stream().filter(l -> l.modified().isAfter(cutoff)).forEach(l -> blobs.add(l.digest()));
        return Multi.createFrom().iterable(byRepository.keySet().stream().sorted().toList())
                .onItem().transformToUniAndConcatenate(repository -> markRepository(repository, byRepository.get(repository),
                        tagsByRepository.getOrDefault(repository, List.of()))
                        .invoke(keptHere -> {
                            for (Link revision : byRepository.get(repository)) {
                                if (!keptHere.contains(revision.digest())) {
                                    unkept.add(revision);
                                }
                            }
                            for (Digest manifest : keptHere) {
                                kept.add(new Revision(repository, manifest));
                                blobs.add(manifest);
                                ManifestGraph.Node node = graph.known(manifest);
                                node.blobs().forEach(b -> {
                                    blobs.add(b);
                                    out.accept(repository + ": marking blob " + b);
                                });
                                blobs.addAll(node.children());
                            }
                        }))
                .collect().last()
                .map(ignored -> new Marks(kept, unkept, blobs));
    }

    /** The digests of the manifests {@code repository} keeps. */
    private Uni<Set<Digest>> markRepository(String repository, List<Link> revisions, List<Link> tags) {
        Set<Digest> roots = new LinkedHashSet<>();
        for (Link revision : revisions) {
            // without deleteuntagged every revision is kept; with it, tagged ones and those linked within the grace period
            if (!deleteUntagged || revision.modified().isAfter(cutoff)) {
                roots.add(revision.digest());
            }
        }
        tags.forEach(t -> roots.add(t.digest()));
        Set<Digest> kept = new LinkedHashSet<>();
        return read(revisions.stream().map(Link::digest).toList())
                .chain(() -> expand(repository, revisions, roots, kept))
                .replaceWith(kept);
    }

    /** Keeps {@code frontier}, then their children and referrers, round by round until nothing new is kept. */
    private Uni<Void> expand(String repository, List<Link> revisions, Set<Digest> frontier, Set<Digest> kept) {
        if (frontier.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return read(List.copyOf(frontier)).chain(() -> {
            for (Digest manifest : frontier) {
                if (kept.add(manifest)) {
                    out.accept(repository + ": marking manifest " + manifest);
                }
            }
            Set<Digest> next = new LinkedHashSet<>();
            for (Digest manifest : frontier) {
                graph.known(manifest).children().stream().filter(c -> !kept.contains(c)).forEach(next::add);
            }
            // a manifest whose subject is kept is kept (OCI referrers)
            for (Link revision : revisions) {
                if (!kept.contains(revision.digest())
                        && graph.known(revision.digest()).subject().filter(kept::contains).isPresent()) {
                    next.add(revision.digest());
                }
            }
            return expand(repository, revisions, next, kept);
        });
    }

    private Uni<Void> read(List<Digest> manifests) {
        if (manifests.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable(manifests).onItem().transformToUni(graph::node).merge(READS)
                .collect().last().replaceWithVoid();
    }
}
