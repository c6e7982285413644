package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.berth.storage.StorageDriver;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CaffeineCache;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;

/**
 * What a push or a mirror's fill writes is kept in the caches as it is written, so the first pull after it reads
 * no link and no content from storage; a write that fails, or a delete while it runs, leaves nothing cached.
 * Storage is changed behind the caches' back to tell an answer from the cache from one read from storage.
 */
@QuarkusTest
class WriteThroughCacheTest {
    private static final byte[] DATA = "write-through blob".getBytes(StandardCharsets.UTF_8);
    private static final Digest BLOB = Digester.of(DigestAlgorithm.SHA256, DATA);
    private static final byte[] MANIFEST = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
            "config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":18,\
            "digest":"%s"},"layers":[]}""".formatted(BLOB).getBytes(StandardCharsets.UTF_8);

    @Inject
    RepositoryBlobs repositoryBlobs;
    @Inject
    Manifests manifests;
    @Inject
    StorageDriver driver;
    @Inject
    @CacheName("blob-descriptors")
    Cache descriptors;

    @Test
    void aBlobJustLinkedIsAnsweredWithoutReadingItsLink() {
        driver.putContent(StoragePaths.blobData(BLOB), DATA).await().indefinitely();
        repositoryBlobs.link("cache/linked", BLOB, DATA.length).await().indefinitely();
        driver.delete(StoragePaths.layerLink("cache/linked", BLOB)).await().indefinitely();

        assertEquals(DATA.length, repositoryBlobs.size("cache/linked", BLOB).await().indefinitely(), "from the cache");
        repositoryBlobs.forget("cache/linked", BLOB).await().indefinitely();
        RegistryException unknown = assertThrows(RegistryException.class,
                () -> repositoryBlobs.size("cache/linked", BLOB).await().indefinitely(), "from storage once forgotten");
        assertEquals(ErrorCode.BLOB_UNKNOWN, unknown.code());
    }

    @Test
    void aManifestJustStoredIsServedWithoutReadingItsRevisionOrContent() {
        Digest digest = manifests.putMirrored("cache/manifest", "v1", MANIFEST, "application/vnd.oci.image.manifest.v1+json")
                .await().indefinitely().digest();
        driver.delete(StoragePaths.manifestRevisionLink("cache/manifest", digest)).await().indefinitely();
        driver.delete(StoragePaths.blobData(digest)).await().indefinitely();

        Manifests.Stored stored = manifests.get("cache/manifest", digest.toString()).await().indefinitely();
        assertEquals(digest, stored.digest());
        assertEquals(new String(MANIFEST, StandardCharsets.UTF_8), new String(stored.manifest().content(), StandardCharsets.UTF_8));
        assertEquals("application/vnd.oci.image.manifest.v1+json", stored.manifest().mediaType());
    }

    @Test
    void aManifestCachedAsPushedHasTheMediaTypeStorageWouldGiveIt() {
        byte[] untyped = """
                {"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":18,\
                "digest":"%s"},"layers":[],"annotations":{"test":"untyped"}}""".formatted(BLOB).getBytes(StandardCharsets.UTF_8);
        Manifest pushed = Manifest.parse(untyped, "application/vnd.docker.distribution.manifest.v2+json");
        assertEquals("application/vnd.docker.distribution.manifest.v2+json", pushed.mediaType(), "the request's type");
        assertEquals(Manifest.stored(untyped).mediaType(), pushed.asStored().mediaType());
        assertEquals("application/vnd.oci.image.manifest.v1+json", pushed.asStored().mediaType());
    }

    @Test
    void aFailedWriteLeavesNothingCached() {
        String key = "cache/failed@" + BLOB;
        Uni<Void> failing = Uni.createFrom().failure(new IllegalStateException("storage down"));
        assertThrows(IllegalStateException.class, () -> FoundOnlyCache.writeThrough(descriptors, key, 7L, failing).await().indefinitely());
        assertNull(descriptors.as(CaffeineCache.class).getIfPresent(key), "no entry, not even the miss marker");

        AtomicInteger loads = new AtomicInteger();
        Optional<Long> read = FoundOnlyCache.<Long>get(descriptors, key, () -> {
            loads.incrementAndGet();
            return Uni.createFrom().item(Optional.of(9L));
        }).await().indefinitely();
        assertEquals(Optional.of(9L), read);
        assertEquals(1, loads.get(), "storage was asked");
    }

    @Test
    void aReaderDuringAWriteThatFailsGetsStoragesAnswer() {
        String key = "cache/failing@" + BLOB;
        ReadDuringWrite race = readDuringWrite(key, Optional.empty());
        race.storage.completeExceptionally(new IllegalStateException("storage down"));
        assertThrows(Exception.class, race.written::join);
        assertEquals(Optional.empty(), race.reader.orTimeout(10, TimeUnit.SECONDS).join(),
                "storage's answer, not the value the failed write would have stored");
        assertEquals(1, race.loads.get(), "the reader asked storage itself");
        assertNull(descriptors.as(CaffeineCache.class).getIfPresent(key), "nothing left cached");
    }

    @Test
    void aReaderDuringTheWriteWaitsForItAndAnEvictionDuringItDropsIt() {
        ReadDuringWrite race = readDuringWrite("cache/racing@" + BLOB, Optional.of(9L));
        race.storage.complete(null);
        race.written.join();
        assertEquals(Optional.of(7L), race.reader.join());
        AtomicInteger loads = race.loads;
        assertEquals(0, loads.get(), "the reader got the written value without asking storage");

        String evicted = "cache/evicted@" + BLOB;
        CompletableFuture<Void> slow = new CompletableFuture<>();
        CompletableFuture<Void> done = writeSeven(evicted, slow);
        descriptors.invalidate(evicted).await().indefinitely(); // a delete, here or through another replica
        slow.complete(null);
        done.join();
        Optional<Long> after = read(evicted, Optional.empty(), loads).join();
        assertTrue(after.isEmpty(), "storage's answer, not the value written before the delete");
        assertEquals(1, loads.get());
    }

    /** A write of 7 held until {@code storage} completes, and a read that came during it (counted in {@code loads}). */
    private record ReadDuringWrite(CompletableFuture<Void> storage, CompletableFuture<Void> written,
            CompletableFuture<Optional<Long>> reader, AtomicInteger loads) {
    }

    /** Starts a write of 7 under {@code key}, then a read whose storage load would answer {@code stored}: it waits. */
    private ReadDuringWrite readDuringWrite(String key, Optional<Long> stored) {
        CompletableFuture<Void> storage = new CompletableFuture<>();
        CompletableFuture<Void> written = writeSeven(key, storage);
        AtomicInteger loads = new AtomicInteger();
        CompletableFuture<Optional<Long>> reader = read(key, stored, loads);
        assertFalse(reader.isDone(), "the reader waits for the write");
        return new ReadDuringWrite(storage, written, reader, loads);
    }

    /** Writes 7 through the cache under {@code key}; storage's write ends as {@code storage} does. */
    private CompletableFuture<Void> writeSeven(String key, CompletableFuture<Void> storage) {
        return FoundOnlyCache.writeThrough(descriptors, key, 7L, Uni.createFrom().completionStage(storage)).subscribeAsCompletionStage();
    }

    /** A read of {@code key} whose storage load, counted in {@code loads}, answers {@code stored}. */
    private CompletableFuture<Optional<Long>> read(String key, Optional<Long> stored, AtomicInteger loads) {
        return FoundOnlyCache.<Long>get(descriptors, key, () -> {
            loads.incrementAndGet();
            return Uni.createFrom().item(stored);
        }).subscribeAsCompletionStage();
    }
}
