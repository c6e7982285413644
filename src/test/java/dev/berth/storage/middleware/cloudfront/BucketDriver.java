package dev.berth.storage.middleware.cloudfront;

import java.util.Optional;

import io.smallrye.mutiny.Uni;

import dev.berth.storage.BucketKeys;
import dev.berth.storage.RedirectRequest;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.inmemory.InMemoryDriver;
import dev.berth.storage.middleware.DelegatingStorageDriver;

/** A stand-in for the s3 driver: in-memory files, bucket keys under a root directory, a fake presigned URL. */
final class BucketDriver extends DelegatingStorageDriver implements BucketKeys {
    static final String PRESIGNED = "https://bucket.s3.test/";
    private final String rootDirectory;

    BucketDriver(String rootDirectory) {
        this(new InMemoryDriver(), rootDirectory);
    }

    BucketDriver(StorageDriver files, String rootDirectory) {
        super(files);
        this.rootDirectory = rootDirectory;
    }

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public String bucketKey(String path) {
        // as the s3 driver: TrimLeft(TrimRight(rootdirectory, "/") + path, "/")
        String root = rootDirectory.replaceAll("/+$", "");
        return (root + path).replaceAll("^/+", "");
    }

    @Override
    public Uni<Optional<String>> redirectUrl(RedirectRequest request, String path) {
        return Uni.createFrom().item(Optional.of(PRESIGNED + bucketKey(path) + "?X-Amz-Signature=fake"));
    }
}
