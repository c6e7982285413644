package dev.berth.api;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestMulti;

import dev.berth.config.StorageConfig;
import dev.berth.registry.BlobStore;
import dev.berth.registry.Digest;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.Names;
import dev.berth.registry.RegistryException;
import dev.berth.registry.RepositoryBlobs;
import dev.berth.storage.RedirectRequest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/** {@code /v2/<name>/blobs/<digest>}: HEAD, GET (307 to storage or bytes with Range), DELETE. */
@Path("/v2/{name: .+}/blobs/{digest: [^/]+}")
public class BlobResource {
    private static final String CACHE_FOREVER = "max-age=31536000";

    @Inject
    RepositoryBlobs repositoryBlobs;
    @Inject
    BlobStore blobs;
    @Inject
    StorageConfig storage;

    @HEAD
    public Uni<Response> head(@PathParam("name") String name, @PathParam("digest") String digestParam) {
        String repository = Names.repository(name);
        Digest digest = Digest.parse(digestParam);
        return repositoryBlobs.size(repository, digest).map(size -> Response.ok()
                .header("Content-Length", size)
                .header("Content-Type", "application/octet-stream")
                .header("Docker-Content-Digest", digest.toString())
                .header("ETag", etag(digest))
                .header("Accept-Ranges", "bytes")
                .header("Cache-Control", CACHE_FOREVER)
                .build());
    }

    @GET
    public RestMulti<Buffer> get(@PathParam("name") String name, @PathParam("digest") String digestParam,
            @HeaderParam("Range") String range, @HeaderParam("If-None-Match") String ifNoneMatch,
            HttpServerRequest request) {
        String repository = Names.repository(name);
        Digest digest = Digest.parse(digestParam);
        Uni<Reply> reply = repositoryBlobs.size(repository, digest).chain(size -> {
            if (matches(ifNoneMatch, digest)) {
                return Uni.createFrom().item(Reply.headers(304, digest, size, Map.of()));
            }
            Uni<java.util.Optional<String>> redirect = storage.redirect().disable()
                    ? Uni.createFrom().item(java.util.Optional.empty())
                    : blobs.redirectUrl(redirectRequest(request), digest);
            return redirect.map(url -> url.isPresent()
                    ? Reply.redirect(digest, url.get())
                    : Reply.content(digest, size, ByteRange.parse(range, size), blobs));
        });
        return RestMulti.fromUniResponse(reply, Reply::body, Reply::headers, Reply::status);
    }

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

    static RedirectRequest redirectRequest(HttpServerRequest request) {
        String forwarded = request.getHeader("X-Forwarded-For");
        List<String> chain = forwarded == null ? List.of()
                : java.util.Arrays.stream(forwarded.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        return new RedirectRequest(request.method().name(), request.remoteAddress().hostAddress(), chain);
    }

    static String etag(Digest digest) {
        return "\"" + digest + "\"";
    }

    static boolean matches(String ifNoneMatch, Digest digest) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals(etag(digest)) || t.equals(digest.toString())) {
                return true;
            }
        }
        return false;
    }

    /** Status, headers and body of a blob GET, decided before any byte is sent. */
    record Reply(int status, Map<String, List<String>> headers, Multi<Buffer> body) {

        static Reply redirect(Digest digest, String url) {
            return new Reply(307, Map.of("Location", List.of(url),
                    "Docker-Content-Digest", List.of(digest.toString()),
                    "Content-Type", List.of("application/octet-stream"),
                    "Content-Length", List.of("0")), Multi.createFrom().empty());
        }

        static Reply headers(int status, Digest digest, long size, Map<String, String> extra) {
            Map<String, List<String>> h = new java.util.HashMap<>();
            h.put("Docker-Content-Digest", List.of(digest.toString()));
            h.put("ETag", List.of(etag(digest)));
            h.put("Cache-Control", List.of(CACHE_FOREVER));
            h.put("Accept-Ranges", List.of("bytes"));
            extra.forEach((k, v) -> h.put(k, List.of(v)));
            return new Reply(status, h, Multi.createFrom().empty());
        }

        static Reply content(Digest digest, long size, ByteRange range, BlobStore blobs) {
            if (range == null) {
                Reply r = headers(200, digest, size, Map.of("Content-Length", Long.toString(size),
                        "Content-Type", "application/octet-stream"));
                return new Reply(200, r.headers, size == 0 ? Multi.createFrom().empty() : blobs.read(digest, 0, size));
            }
            if (!range.satisfiable()) {
                throw new RegistryException(ErrorCode.RANGE_INVALID, 416, "requested range not satisfiable",
                        Map.of("size", size));
            }
            Reply r = headers(206, digest, size, Map.of("Content-Length", Long.toString(range.length()),
                    "Content-Type", "application/octet-stream",
                    "Content-Range", "bytes " + range.start() + "-" + range.end() + "/" + size));
            return new Reply(206, r.headers, blobs.read(digest, range.start(), range.length()));
        }
    }
}
