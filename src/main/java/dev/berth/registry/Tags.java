package dev.berth.registry;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.berth.config.GoDuration;
import dev.berth.config.StorageConfig;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import io.smallrye.mutiny.Uni;

/** Tags of a repository ({@code _manifests/tags/<tag>/current/link} plus its index). */
@ApplicationScoped
public class Tags {
    @Inject
    StorageDriver driver;
    @Inject
    StorageConfig config;

    /**
     * Tags read recently, for {@code storage.cache.tagttl}: a hot pull by tag reads no link while the
     * entry lives. Only found tags are kept, so a tag created elsewhere is seen at once.
     */
    private Cache<String, Digest> recent;

    @PostConstruct
    void init() {
        Duration ttl = GoDuration.parse(config.cache().tagttl().trim());
        recent = ttl.isZero() ? null : Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(ttl).build();
    }

    public Uni<Optional<Digest>> resolve(String repository, String tag) {
        String key = repository + ":" + tag;
        Digest cached = recent == null ? null : recent.getIfPresent(key);
        if (cached != null) {
            return Uni.createFrom().item(Optional.of(cached));
        }
        return Links.read(driver, StoragePaths.tagCurrentLink(repository, tag))
                .invoke(found -> found.ifPresent(d -> remember(key, d)));
    }

    public Uni<Void> tag(String repository, String tag, Digest digest) {
        forget(repository, tag);
        return Links.write(driver, StoragePaths.tagCurrentLink(repository, tag), digest)
                .chain(() -> Links.write(driver, StoragePaths.tagIndexLink(repository, tag, digest), digest))
                .invoke(() -> forget(repository, tag));
    }

    /** Removes a tag; false when there was none. */
    public Uni<Boolean> untag(String repository, String tag) {
        forget(repository, tag);
        return driver.delete(StoragePaths.tag(repository, tag)).replaceWith(true)
                .onFailure(PathNotFoundException.class).recoverWithItem(false)
                .invoke(() -> forget(repository, tag));
    }

    private void remember(String key, Digest digest) {
        if (recent != null) {
            recent.put(key, digest);
        }
    }

    private void forget(String repository, String tag) {
        if (recent != null) {
            recent.invalidate(repository + ":" + tag);
        }
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
