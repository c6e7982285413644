package dev.berth.registry;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.berth.config.StorageConfig;
import dev.berth.redis.Invalidations;
import dev.berth.redis.RedisBlobDescriptors;
import dev.berth.storage.StorageDriver;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.smallrye.mutiny.Uni;

/**
 * Which blobs a repository holds ({@code _layers} links), with their sizes. Answers from a bounded
 * descriptor cache when it can, so a hot pull does no storage round trip, then from Redis with
 * {@code storage.cache.blobdescriptor: redis}; local entries live {@code storage.cache.descriptorttl},
 * so a delete made through another replica is seen within it (at once with Redis).
 */
@ApplicationScoped
public class RepositoryBlobs {
    @Inject
    StorageDriver driver;
    @Inject
    BlobStore blobs;
    @Inject
    StorageConfig config;
    @Inject
    Invalidations invalidations;
    @Inject
    RedisBlobDescriptors shared;
    @Inject
    @CacheName("blob-descriptors")
    Cache descriptorCache;
    private ReplicatedCache descriptors;

    /** For lookups that need only the linked size: one shared instance, nothing allocated per pull. */
    private static final Consumer<Optional<Long>> IGNORED = size -> {
    };

    @PostConstruct
    void init() {
        descriptors = new ReplicatedCache(descriptorCache, config.cache().descriptorttl(), invalidations);
    }

    /** The size of a blob linked in {@code repository}; BLOB_UNKNOWN when it is not. */
    public Uni<Long> size(String repository, Digest digest) {
        return linkedSize(repository, digest, IGNORED).map(size -> size.orElseThrow(() -> blobUnknown(digest)));
    }

    /**
     * A blob as storage holds it: its size where {@code repository} links it, else the size of its content stored for
     * another (empty when there is none), which a mirror needs before it fetches the blob from upstream.
     */
    public record Held(Optional<Long> linked, Optional<Long> stored) {
    }

    /** What storage holds of a blob for {@code repository}, in one storage round trip on a cache miss. */
    public Uni<Held> held(String repository, Digest digest) {
        AtomicReference<Optional<Long>> stored = new AtomicReference<>();
        return linkedSize(repository, digest, stored::set).chain(linked -> {
            if (linked.isPresent()) {
                return Uni.createFrom().item(new Held(linked, linked));
            }
            // not linked: the load ran for this caller (a miss is never shared), unless a cache answered without it
            Optional<Long> content = stored.get();
            return (content != null ? Uni.createFrom().item(content) : blobs.size(digest)).map(size -> new Held(linked, size));
        });
    }

    /** {@code stored} is told the content's size when storage is asked. */
    private Uni<Optional<Long>> linkedSize(String repository, Digest digest, Consumer<Optional<Long>> stored) {
        return descriptors.get(key(repository, digest), () -> shared.size(repository, digest.toString(), () -> load(repository, digest, stored)));
    }

    /**
     * The link and the content looked up at once: a linked blob costs one storage round trip, not two, and one not linked
     * one more request (a HEAD), which a mirror about to fetch it needs anyway.
     */
    private Uni<Optional<Long>> load(String repository, Digest digest, Consumer<Optional<Long>> stored) {
        return Uni.combine().all().unis(Links.read(driver, StoragePaths.layerLink(repository, digest)), blobs.size(digest)).asTuple()
                .map(found -> {
                    stored.accept(found.getItem2());
                    return found.getItem1().filter(digest::equals).isPresent() ? found.getItem2() : Optional.<Long>empty();
                });
    }

    /** Links an already stored blob of {@code size} into {@code repository}; the next read of it here needs no storage round trip. */
    public Uni<Void> link(String repository, Digest digest, long size) {
        return descriptors.writeThrough(key(repository, digest), size, Links.write(driver, StoragePaths.layerLink(repository, digest), digest)
                .invoke(() -> shared.linked(repository, digest.toString(), size)));
    }

    /** Removes the blob from {@code repository} (the content stays for garbage collection). */
    public Uni<Void> unlink(String repository, Digest digest) {
        String path = StoragePaths.layerLink(repository, digest);
        return Links.exists(driver, path)
                .chain(exists -> exists ? driver.delete(path) : Uni.createFrom().failure(blobUnknown(digest)))
                .chain(() -> forget(repository, digest));
    }

    /**
     * Drops the cached descriptor here, in Redis and on every replica, after an unlink or when storage no
     * longer has what it describes (data deleted by another replica): the next request asks storage again.
     */
    public Uni<Void> forget(String repository, Digest digest) {
        return descriptors.evictHere(key(repository, digest))
                .chain(() -> shared.forget(repository, digest.toString()))
                .chain(() -> descriptors.evict(key(repository, digest)));
    }

    private static String key(String repository, Digest digest) {
        return repository + "@" + digest;
    }

    public static RegistryException blobUnknown(Digest digest) {
        return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob unknown to registry", Map.of("digest", digest.toString()));
    }
}
