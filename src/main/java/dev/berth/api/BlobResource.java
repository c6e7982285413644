package dev.berth.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import dev.berth.config.StorageConfig;
import dev.berth.registry.Digest;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.Names;
import dev.berth.registry.RegistryException;
import dev.berth.registry.RepositoryBlobs;
import io.smallrye.mutiny.Uni;

/** {@code DELETE /v2/<name>/blobs/<digest>}; GET and HEAD are {@link BlobDownloadRoute}. */
@Path("/v2/{name: .+}/blobs/{digest: [^/]+}")
public class BlobResource {
    @Inject
    RepositoryBlobs repositoryBlobs;
    @Inject
    StorageConfig storage;

    @DELETE
    public Uni<Response> delete(@PathParam("name") String name, @PathParam("digest") String digestParam) {
        String repository = Names.repository(name);
        Digest digest = Digest.parse(digestParam);
        if (!storage.delete().enabled()) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "deletion is disabled (storage.delete.enabled)");
        }
        return repositoryBlobs.unlink(repository, digest).map(v -> Response.accepted()
                .header("Docker-Content-Digest", digest.toString())
                .header("Content-Length", 0).build());
    }
}
