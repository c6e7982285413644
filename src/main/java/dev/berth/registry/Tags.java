package dev.berth.registry;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import io.smallrye.mutiny.Uni;

/** Tags of a repository ({@code _manifests/tags/<tag>/current/link} plus its index). */
@ApplicationScoped
public class Tags {
    @Inject
    StorageDriver driver;

    public Uni<Optional<Digest>> resolve(String repository, String tag) {
        return Links.read(driver, StoragePaths.tagCurrentLink(repository, tag));
    }

    public Uni<Void> tag(String repository, String tag, Digest digest) {
        return Links.write(driver, StoragePaths.tagCurrentLink(repository, tag), digest)
                .chain(() -> Links.write(driver, StoragePaths.tagIndexLink(repository, tag, digest), digest));
    }

    /** Removes a tag; false when there was none. */
    public Uni<Boolean> untag(String repository, String tag) {
        return driver.delete(StoragePaths.tag(repository, tag)).replaceWith(true)
                .onFailure(PathNotFoundException.class).recoverWithItem(false);
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
