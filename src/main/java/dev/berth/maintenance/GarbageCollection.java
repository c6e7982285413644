package dev.berth.maintenance;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.berth.config.GoDuration;
import dev.berth.config.StorageConfig;
import dev.berth.registry.Manifests;
import dev.berth.storage.StorageDriver;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * A collection over this process's storage driver, for the command and the online schedule. What it
 * sweeps leaves every cache of this replica at once; other replicas drop it within their cache
 * expiry, and a blob GET that finds the data gone answers 404 rather than streaming anything.
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

    public Uni<GcReport> run(GcOptions options, Consumer<String> out) {
        return new GarbageCollector(driver, Clock.systemUTC(), settle(options)).run(options, out)
                .call(report -> options.dryRun() ? Uni.createFrom().voidItem()
                        : Multi.createFrom().iterable(List.of(descriptors, revisions, contents, tags))
                                .onItem().transformToUniAndConcatenate(Cache::invalidateAll)
                                .collect().last().replaceWithVoid());
    }

    /**
     * How long the sweep waits after removing links (docs/gc.md): a replica may still find a removed
     * link in its descriptor cache for {@code descriptorttl}, and a push commits within its window after that.
     * A zero grace period is registry:2's collection, for storage nobody pushes to: no wait.
     */
    private Duration settle(GcOptions options) {
        if (options.grace().isZero()) {
            return Duration.ZERO;
        }
        return GoDuration.parse(config.cache().descriptorttl()).plus(Manifests.COMMIT_WINDOW).plus(WRITE_MARGIN);
    }
}
