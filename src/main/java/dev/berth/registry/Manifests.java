package dev.berth.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.berth.config.StorageConfig;
import dev.berth.redis.Invalidations;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.smallrye.mutiny.Uni;

/**
 * Manifests of a repository: revision links to content in the blob store, tags, and referrer links
 * for manifests with a {@code subject}. A manifest is accepted only when what it references is there.
 */
@ApplicationScoped
public class Manifests {
    @Inject
    StorageDriver driver;
    @Inject
    BlobStore blobs;
    @Inject
    RepositoryBlobs repositoryBlobs;
    @Inject
    Tags tags;
    @Inject
    ManifestContents contents;
    @Inject
    StorageConfig config;
    @Inject
    Invalidations invalidations;
    @Inject
    @CacheName("manifest-revisions")
    Cache revisionCache;
    /**
     * Which revisions a repository holds, so a hot manifest pull reads no link; invalidated on delete
     * (on every replica, with Redis), and kept {@code storage.cache.descriptorttl} so a delete made
     * elsewhere without Redis is seen within it.
     */
    private ReplicatedCache revisions;

    @PostConstruct
    void init() {
        revisions = new ReplicatedCache(revisionCache, config.cache().descriptorttl(), invalidations);
    }

    /** The longest a push lets pass between starting to check its references and committing its revision link. */
    public static final Duration COMMIT_WINDOW = Duration.ofSeconds(5);
    /** The largest manifest taken: the OCI spec asks registries to take at least 4 MiB. */
    public static final int MAX_BYTES = 4 * 1024 * 1024;

    /** A stored manifest with its digest. */
    public record Stored(Digest digest, Manifest manifest) {
    }

    /** The result of a push: the digest, and the subject when there was one. */
    public record Pushed(Digest digest, Optional<Digest> subject) {
    }

    public Uni<Pushed> put(String repository, String reference, byte[] content, String contentType) {
        return put(repository, reference, content, contentType, true);
    }

    /**
     * As {@link #put(String, String, byte[], String)}, for a mirror: what the manifest references need
     * not be in the repository (a mirror stores a manifest before the blobs and child manifests are
     * pulled through it), and the content is written without looking for it first: a mirror stores
     * what the repository lacks, nearly always new content, so the look would only cost a round trip.
     */
    public Uni<Pushed> putMirrored(String repository, String reference, byte[] content, String contentType) {
        return put(repository, reference, content, contentType, false);
    }

    /**
     * The digest a manifest put as {@code reference} is stored under: the digest named (DIGEST_INVALID when the content
     * does not hash to it), or under a tag its sha256.
     */
    public static Digest digestOf(String reference, byte[] content) {
        if (!Digest.looksLikeDigest(reference)) {
            return Digester.of(DigestAlgorithm.SHA256, content);
        }
        Digest requested = Digest.parse(reference);
        Digest digest = Digester.of(requested.algorithm(), content);
        if (!digest.equals(requested)) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "manifest digest " + digest + " does not match " + requested,
                    Map.of("digest", requested.toString()));
        }
        return digest;
    }

    private Uni<Pushed> put(String repository, String reference, byte[] content, String contentType, boolean pushed) {
        Manifest manifest = Manifest.parse(content, contentType);
        String tagName = Digest.looksLikeDigest(reference) ? null : Names.tag(reference);
        Digest digest = digestOf(reference, content);
        long validating = System.nanoTime();
        return (pushed ? checkReferences(repository, manifest) : Uni.createFrom().voidItem())
                .chain(() -> pushed ? blobs.putIfAbsent(digest, content) : blobs.put(digest, content))
                .chain(() -> revisions.writeThrough(revisionKey(repository, digest), digest, pushed ? commit(repository, manifest, digest, validating)
                        : Links.write(driver, StoragePaths.manifestRevisionLink(repository, digest), digest)))
                // after the link, beside the links that name it: the content again, as a collection may have moved
                // aside content it reused (docs/gc.md); the revision is readable by digest from here on either way
                .chain(() -> Uni.join().all(
                        blobs.putIfAbsent(digest, content),
                        manifest.subject().isPresent()
                                ? Links.write(driver, StoragePaths.referrerLink(repository, manifest.subject().get(), digest), digest)
                                : Uni.createFrom().voidItem(),
                        tagName != null ? tags.tag(repository, tagName, digest) : Uni.createFrom().voidItem())
                        .andFailFast())
                .invoke(() -> contents.keep(digest, manifest.asStored()))
                .map(v -> new Pushed(digest, manifest.subject()));
    }

    /**
     * Writes the revision link, checking the references again when they were checked longer than
     * {@link #COMMIT_WINDOW} ago: a garbage collection waits out that window (docs/gc.md).
     */
    private Uni<Void> commit(String repository, Manifest manifest, Digest digest, long validating) {
        if (System.nanoTime() - validating > COMMIT_WINDOW.toNanos()) {
            long again = System.nanoTime();
            return checkReferences(repository, manifest).chain(() -> commit(repository, manifest, digest, again));
        }
        return Links.write(driver, StoragePaths.manifestRevisionLink(repository, digest), digest);
    }

    private Uni<Void> checkReferences(String repository, Manifest manifest) {
        List<Uni<Void>> checks = manifest.references().stream()
                .filter(r -> !r.external())
                .map(r -> manifest.isIndex()
                        ? exists(repository, r.digest()).chain(found -> found ? Uni.createFrom().voidItem()
                                : Uni.createFrom().failure(new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN,
                                        "index references a manifest unknown to this repository: " + r.digest(),
                                        Map.of("digest", r.digest().toString()))))
                        : repositoryBlobs.size(repository, r.digest()).replaceWithVoid()
                                .onFailure(RegistryException.class).transform(e -> new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN,
                                        "manifest references a blob unknown to this repository: " + r.digest(),
                                        Map.of("digest", r.digest().toString()))))
                .toList();
        return checks.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(checks).andFailFast().replaceWithVoid();
    }

    /** Whether {@code repository} holds the manifest revision; only "yes" is cached. */
    public Uni<Boolean> exists(String repository, Digest digest) {
        Supplier<Uni<Optional<Digest>>> held = () -> Links.read(driver, StoragePaths.manifestRevisionLink(repository, digest))
                .map(link -> link.filter(digest::equals));
        return revisions.get(revisionKey(repository, digest), held).map(Optional::isPresent);
    }

    /** The manifest a tag or digest names; MANIFEST_UNKNOWN when there is none. */
    public Uni<Stored> get(String repository, String reference) {
        return resolve(repository, reference).chain(digest -> exists(repository, digest).chain(found -> {
            if (!found) {
                return Uni.createFrom().failure(unknown(reference));
            }
            return contents.get(digest, () -> blobs.content(digest).map(Manifest::stored))
                    .onFailure(PathNotFoundException.class).transform(e -> unknown(reference))
                    .map(manifest -> new Stored(digest, manifest));
        }));
    }

    private static String revisionKey(String repository, Digest digest) {
        return repository + "@" + digest;
    }

    private Uni<Digest> resolve(String repository, String reference) {
        if (Digest.looksLikeDigest(reference)) {
            return Uni.createFrom().item(Digest.parse(reference));
        }
        if (!Names.isTag(reference)) {
            // no manifest can have this name: Distribution's router answers 404, the conformance suite expects it
            return Uni.createFrom().failure(unknown(reference));
        }
        return tags.resolve(repository, reference).map(d -> d.orElseThrow(() -> unknown(reference)));
    }

    /** Deletes a tag, or a manifest revision with every tag that points to it. */
    public Uni<Void> delete(String repository, String reference) {
        if (!Digest.looksLikeDigest(reference)) {
            Names.tag(reference);
            return tags.untag(repository, reference).chain(found -> found ? Uni.createFrom().voidItem()
                    : Uni.createFrom().failure(unknown(reference)));
        }
        Digest digest = Digest.parse(reference);
        return get(repository, reference)
                .chain(stored -> driver.delete(StoragePaths.manifestRevision(repository, digest))
                        .chain(() -> revisions.evict(revisionKey(repository, digest)))
                        .chain(() -> stored.manifest().subject().isPresent()
                                ? Links.deleteIfPresent(driver, StoragePaths.referrerLink(repository, stored.manifest().subject().get(), digest))
                                : Uni.createFrom().voidItem()))
                .chain(() -> tags.pointingTo(repository, digest))
                .chain(pointing -> pointing.isEmpty() ? Uni.createFrom().voidItem()
                        : Uni.join().all(pointing.stream().map(t -> tags.untag(repository, t)).toList()).andFailFast().replaceWithVoid());
    }

    static RegistryException unknown(String reference) {
        return new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown to registry", Map.of("reference", Digest.abbreviate(reference)));
    }
}
