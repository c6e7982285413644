package dev.berth.registry;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageException;
import io.smallrye.mutiny.Uni;

/** Link files: a small file whose content is a digest string, as Distribution writes them. */
public final class Links {
    private Links() {
    }

    static Uni<Optional<Digest>> read(StorageDriver driver, String path) {
        return driver.getContent(path)
                .map(bytes -> Optional.of(parseLink(new String(bytes, StandardCharsets.UTF_8).trim())))
                .onFailure(PathNotFoundException.class).recoverWithItem(Optional.empty());
    }

    public static Uni<Void> write(StorageDriver driver, String path, Digest digest) {
        return driver.putContent(path, digest.toString().getBytes(StandardCharsets.UTF_8));
    }

    static Uni<Boolean> exists(StorageDriver driver, String path) {
        return read(driver, path).map(Optional::isPresent);
    }

    /** Deletes a path, treating "already gone" as done. */
    static Uni<Void> deleteIfPresent(StorageDriver driver, String path) {
        return driver.delete(path).onFailure(PathNotFoundException.class).recoverWithNull();
    }

    private static Digest parseLink(String content) {
        try {
            return Digest.parse(content);
        } catch (RegistryException e) {
            throw new StorageException("corrupt link file content: " + Digest.abbreviate(content));
        }
    }
}
