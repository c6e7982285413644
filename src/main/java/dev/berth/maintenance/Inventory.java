package dev.berth.maintenance;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.berth.registry.Digest;
import dev.berth.registry.RegistryException;
import dev.berth.registry.StoragePaths;
import dev.berth.storage.FileInfo;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * What one pass over the storage finds: every manifest revision, tag, layer and referrer link of every
 * repository with its modification time, and every blob's data. Two walks (repositories, blobs): on
 * S3 each is one paginated listing, not a request per directory.
 */
record Inventory(List<Link> revisions, List<Link> layers, List<Link> tags, List<Link> tagIndexes, List<Link> referrers,
        List<Blob> blobs) {
    private static final String BLOBS = StoragePaths.ROOT + "/blobs/";
    /** Tag links read at once. */
    private static final int TAG_READS = 16;

    /**
     * A link file. {@code digest} is what it names (for tags: its content); {@code subject} is the
     * subject of a referrer link; {@code name} the tag of tag links.
     */
    record Link(String repository, Digest digest, String path, Instant modified, Optional<Digest> subject, String name) {
    }

    record Blob(Digest digest, String path, long size, Instant modified) {
    }

    static Uni<Inventory> scan(StorageDriver driver) {
        Inventory inventory = empty();
        return walk(driver, StoragePaths.REPOSITORIES).collect().asList()
                .chain(files -> Multi.createFrom().iterable(files)
                        .onItem().transformToUni(f -> inventory.addRepositoryFile(driver, f)).merge(TAG_READS)
                        .collect().last())
                .chain(() -> walk(driver, StoragePaths.ROOT + "/blobs").collect().asList())
                .map(files -> {
                    files.forEach(inventory::addBlobFile);
                    return inventory;
                });
    }

    /**
     * The links of every repository (revisions, layers, referrers, tag history), without the tags'
     * contents or the blobs: one walk, what the sweep's last read needs.
     */
    static Uni<Inventory> scanLinks(StorageDriver driver) {
        Inventory inventory = empty();
        return walk(driver, StoragePaths.REPOSITORIES).collect().asList().map(files -> {
            files.stream().filter(f -> !f.path().contains("/_manifests/tags/") || f.path().contains("/index/"))
                    .forEach(f -> inventory.addRepositoryFile(driver, f));
            return inventory;
        });
    }

    private static Inventory empty() {
        return new Inventory(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    }

    private static Multi<FileInfo> walk(StorageDriver driver, String path) {
        return driver.walk(path).onFailure(PathNotFoundException.class).recoverWithCompletion();
    }

    /** Files Berth does not know (uploads, strays) are not part of the inventory; tags are read for their digest. */
    private Uni<Void> addRepositoryFile(StorageDriver driver, FileInfo file) {
        String rest = file.path().substring(StoragePaths.REPOSITORIES.length() + 1);
        // repository name components never start with '_', so the first "/_" ends the name
        int end = rest.indexOf("/_");
        if (end < 0 || !rest.endsWith("/link")) {
            return Uni.createFrom().voidItem();
        }
        String repository = rest.substring(0, end);
        String[] p = rest.substring(end + 1).split("/");
        if (p.length == 5 && p[0].equals("_manifests") && p[1].equals("revisions")) {
            digest(p[2], p[3]).ifPresent(d -> add(revisions, new Link(repository, d, file.path(), file.modified(), Optional.empty(), "")));
        } else if (p.length == 4 && p[0].equals("_layers")) {
            digest(p[1], p[2]).ifPresent(d -> add(layers, new Link(repository, d, file.path(), file.modified(), Optional.empty(), "")));
        } else if (p.length == 6 && p[0].equals("_referrers")) {
            Optional<Digest> subject = digest(p[1], p[2]);
            digest(p[3], p[4]).filter(d -> subject.isPresent())
                    .ifPresent(d -> add(referrers, new Link(repository, d, file.path(), file.modified(), subject, "")));
        } else if (p.length == 7 && p[0].equals("_manifests") && p[1].equals("tags") && p[3].equals("index")) {
            digest(p[4], p[5]).ifPresent(d -> add(tagIndexes, new Link(repository, d, file.path(), file.modified(), Optional.empty(), p[2])));
        } else if (p.length == 5 && p[0].equals("_manifests") && p[1].equals("tags") && p[3].equals("current")) {
            return driver.getContent(file.path())
                    .map(bytes -> digest(new String(bytes, StandardCharsets.UTF_8).trim()))
                    .onFailure(PathNotFoundException.class).recoverWithItem(Optional.empty())
                    .invoke(d -> d.ifPresent(digest -> add(tags, new Link(repository, digest, file.path(), file.modified(), Optional.empty(), p[2]))))
                    .replaceWithVoid();
        }
        return Uni.createFrom().voidItem();
    }

    private void addBlobFile(FileInfo file) {
        if (!file.path().startsWith(BLOBS) || !file.path().endsWith("/data")) {
            return;
        }
        String[] p = file.path().substring(BLOBS.length()).split("/");
        if (p.length == 4) {
            digest(p[0], p[2]).ifPresent(d -> blobs.add(new Blob(d, file.path(), file.size(), file.modified())));
        }
    }

    /** Tag reads complete on several threads. */
    private static synchronized void add(List<Link> list, Link link) {
        list.add(link);
    }

    private static Optional<Digest> digest(String algorithm, String hex) {
        return digest(algorithm + ":" + hex);
    }

    /** A digest, or empty for what is no digest Berth knows (such a link is left alone). */
    private static Optional<Digest> digest(String text) {
        try {
            return Optional.of(Digest.parse(text));
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }
}
