package dev.berth.maintenance;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.berth.config.GoDuration;
import dev.berth.config.StorageConfig;
import dev.berth.maintenance.Inventory.Link;
import dev.berth.redis.Invalidations;
import dev.berth.redis.RedisBlobDescriptors;
import dev.berth.registry.Digest;
import dev.berth.registry.Manifests;
import dev.berth.storage.StorageDriver;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * A collection over this process's storage driver, for the command and the online schedule. What it
 * sweeps leaves every cache of this replica at once, and Redis's descriptors; other replicas empty
 * their caches at once with Redis (else within their cache expiry), and a blob GET that finds the data
 * gone answers 404 rather than streaming anything.
 */
@ApplicationScoped
public class GarbageCollection {
    /** Margin over a push's commit window for the revision link write itself to land. */
    private static final Duration WRITE_MARGIN = Duration.ofSeconds(5);

    @Inject
    StorageDriver driver;
    @Inject
    StorageConfig config;
    @Inject
    @CacheName("blob-descriptors")
    Cache descriptors;
    @Inject
    @CacheName("manifest-revisions")
    Cache revisions;
    @Inject
    @CacheName("manifest-contents")
    Cache contents;
    @Inject
    @CacheName("tags")
    Cache tags;
    @Inject
    RedisBlobDescriptors sharedDescriptors;
    @Inject
    Invalidations invalidations;

    public Uni<GcReport> run(GcOptions options, Consumer<String> out) {
        return (options.dryRun() ? Uni.createFrom().voidItem() : invalidations.ready())
                .chain(() -> new GarbageCollector(driver, Clock.systemUTC(), settle(options))
                        .onSweep(new SharedCaches())
                        .run(options, out))
                .call(report -> options.dryRun() ? Uni.createFrom().voidItem() : evictAll().chain(invalidations::publishAll));
    }

    /**
     * Redis's descriptors and every replica's caches drop what the sweep removes as it goes: a removed
     * link found in a cache after the sweep's wait would let a push reference a blob about to be deleted.
     */
    private final class SharedCaches implements GarbageCollector.SweepListener {
        @Override
        public Uni<Void> unlinked(List<Link> links) {
            // the wait that follows counts on every replica having dropped them: no Redis now, no sweep
            return sharedDescriptors.forgetLinks(links.stream().map(l -> Map.entry(l.repository(), l.digest().toString())).toList())
                    .chain(() -> evictAll()).chain(invalidations::publishAllOrFail);
        }

        @Override
        public Uni<Void> deleted(List<Digest> blobs) {
            return sharedDescriptors.forgetBlobs(blobs.stream().map(Digest::toString).toList()).chain(() -> evictAll())
                    .chain(invalidations::publishAll);
        }
    }

    /** Empties this replica's caches (then the callers tell the other replicas). */
    private Uni<Void> evictAll() {
        return Multi.createFrom().iterable(List.of(descriptors, revisions, contents, tags))
                .onItem().transformToUniAndConcatenate(Cache::invalidateAll)
                .collect().last().replaceWithVoid();
    }

    /**
     * How long the sweep waits after removing links (docs/gc.md): a replica may still find a removed
     * link in its descriptor cache for {@code descriptorttl} (with Redis, until the invalidation reaches
     * it and a storage read racing it is cleared from Redis again), and a push commits within its window after that.
     * A zero grace period is registry:2's collection, for storage nobody pushes to: no wait.
     */
    private Duration settle(GcOptions options) {
        if (options.grace().isZero()) {
            return Duration.ZERO;
        }
        Duration cached = GoDuration.parse(config.cache().descriptorttl());
        if (invalidations.configured()) {
            Duration told = invalidations.staleness().plus(RedisBlobDescriptors.WRITE_BACK_WINDOW.multipliedBy(2));
            cached = told.compareTo(cached) < 0 ? told : cached;
        }
        return cached.plus(Manifests.COMMIT_WINDOW).plus(WRITE_MARGIN);
    }
}
