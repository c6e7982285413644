package dev.berth.registry;

import java.util.List;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import io.smallrye.mutiny.Uni;

/** Repository names, found as Distribution finds them: directories holding a {@code _manifests}. */
@ApplicationScoped
public class Catalog {
    private static final String MARKER = "/_manifests/";

    @Inject
    StorageDriver driver;

    public Uni<List<String>> repositories() {
        int prefix = StoragePaths.REPOSITORIES.length() + 1;
        return driver.walk(StoragePaths.REPOSITORIES)
                .onFailure(PathNotFoundException.class).recoverWithCompletion()
                .map(info -> info.path())
                .filter(p -> p.contains(MARKER))
                .map(p -> p.substring(prefix, p.indexOf(MARKER)))
                .collect().in(TreeSet<String>::new, TreeSet::add)
                .map(List::copyOf);
    }
}
