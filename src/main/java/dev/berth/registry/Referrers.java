package dev.berth.registry;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.berth.storage.FileInfo;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import io.smallrye.mutiny.Uni;

/** Manifests that name a digest as their {@code subject} (OCI v1.1 referrers). */
@ApplicationScoped
public class Referrers {
    @Inject
    StorageDriver driver;
    @Inject
    Manifests manifests;

    /** Descriptors of the referrers, sorted by digest, filtered by artifact type when given. */
    public Uni<List<ObjectNode>> list(String repository, Digest subject, Optional<String> artifactType) {
        return driver.walk(StoragePaths.referrers(repository, subject))
                .onFailure(PathNotFoundException.class).recoverWithCompletion()
                .map(FileInfo::path)
                .filter(p -> p.endsWith("/link"))
                .onItem().transformToUniAndConcatenate(p -> Links.read(driver, p))
                .filter(Optional::isPresent)
                .map(Optional::get)
                .onItem().transformToUniAndConcatenate(digest -> manifests.get(repository, digest.toString())
                        .map(Optional::of)
                        // a referrer deleted since it was linked is simply not listed
                        .onFailure(RegistryException.class).recoverWithItem(Optional.empty()))
                .filter(Optional::isPresent)
                .map(Optional::get)
                .filter(stored -> artifactType.isEmpty() || artifactType.equals(stored.manifest().artifactType()))
                .map(stored -> stored.manifest().descriptor(stored.digest()))
                .collect().asList()
                .map(list -> list.stream().sorted(Comparator.comparing(d -> d.get("digest").asText())).toList());
    }
}
