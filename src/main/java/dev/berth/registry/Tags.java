package dev.berth.registry;

import java.util.List;
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

/** Tags of a repository ({@code _manifests/tags/<tag>/current/link} plus its index). */
@ApplicationScoped
public class Tags {
    @Inject
    StorageDriver driver;
    @Inject
    StorageConfig config;

    @Inject
    Invalidations invalidations;
    @Inject
    @CacheName("tags")
    Cache tags;
    /**
     * Tags read recently, for {@code storage.cache.tagttl}: a hot pull by tag reads no link while the
     * entry lives. Only found tags are kept, so a tag created elsewhere is seen at once; with Redis, a
     * tag moved or deleted elsewhere too.
     */
    private ReplicatedCache recent;

    @PostConstruct
    void init() {
        recent = new ReplicatedCache(tags, config.cache().tagttl(), invalidations);
    }

    public Uni<Optional<Digest>> resolve(String repository, String tag) {
        Supplier<Uni<Optional<Digest>>> read = () -> Links.read(driver, StoragePaths.tagCurrentLink(repository, tag));
        return recent.get(key(repository, tag), read);
    }

    /**
     * Points {@code tag} at {@code digest}; the cached entry is dropped before and after (after: on every
     * replica), so no read racing the write keeps the old digest.
     */
    public Uni<Void> tag(String repository, String tag, Digest digest) {
        return recent.evictHere(key(repository, tag))
                .chain(() -> Links.write(driver, StoragePaths.tagCurrentLink(repository, tag), digest))
                .chain(() -> Links.write(driver, StoragePaths.tagIndexLink(repository, tag, digest), digest))
                .call(() -> recent.evict(key(repository, tag)));
    }

    /** Removes a tag; false when there was none. */
    public Uni<Boolean> untag(String repository, String tag) {
        return recent.evictHere(key(repository, tag))
                .chain(() -> driver.delete(StoragePaths.tag(repository, tag)).replaceWith(true)
                        .onFailure(PathNotFoundException.class).recoverWithItem(false))
                .call(() -> recent.evict(key(repository, tag)));
    }

    private static String key(String repository, String tag) {
        return repository + ":" + tag;
    }

    /** All tags, sorted; empty when the repository has a manifest store but no tags, or none at all. */
    public Uni<Optional<List<String>>> list(String repository) {
        return driver.list(StoragePaths.tags(repository))
                .map(paths -> Optional.of(paths.stream().map(p -> p.substring(p.lastIndexOf('/') + 1)).sorted().toList()))
                .onFailure(PathNotFoundException.class).recoverWithItem(Optional.empty());
    }

    /** Tags whose current link is {@code digest}. */
    public Uni<List<String>> pointingTo(String repository, Digest digest) {
        return list(repository).chain(tags -> {
            List<String> all = tags.orElse(List.of());
            if (all.isEmpty()) {
                return Uni.createFrom().item(List.<String>of());
            }
            List<Uni<Optional<String>>> checks = all.stream()
                    .map(t -> resolve(repository, t).map(d -> d.filter(digest::equals).map(x -> t)))
                    .toList();
            return Uni.join().all(checks).andFailFast()
                    .map(found -> found.stream().flatMap(Optional::stream).toList());
        });
    }
}
