package dev.berth.maintenance;

import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

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
    @Inject
    StorageDriver driver;
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
        return new GarbageCollector(driver, Clock.systemUTC()).run(options, out)
                .call(report -> options.dryRun() ? Uni.createFrom().voidItem()
                        : Multi.createFrom().iterable(List.of(descriptors, revisions, contents, tags))
                                .onItem().transformToUniAndConcatenate(Cache::invalidateAll)
                                .collect().last().replaceWithVoid());
    }
}
