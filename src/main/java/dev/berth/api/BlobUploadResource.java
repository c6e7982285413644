package dev.berth.api;

import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import dev.berth.config.HttpConfig;
import dev.berth.http.ErrorReply;
import dev.berth.http.Routes;
import dev.berth.registry.BlobUploads;
import dev.berth.registry.Digest;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.Names;
import dev.berth.registry.RegistryException;
import dev.berth.registry.RepositoryBlobs;
import dev.berth.registry.UploadToken;
import dev.berth.registry.UploadTokens;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /v2/<name>/blobs/uploads/}: start (with monolithic and cross-repository mount forms),
 * stream chunks, complete, status, cancel. Bodies are streamed, never buffered whole.
 */
@Path(Routes.BLOB_UPLOADS)
public class BlobUploadResource {
    @Inject
    BlobUploads uploads;
    @Inject
    RepositoryBlobs repositoryBlobs;
    @Inject
    UploadTokens tokens;
    @Inject
    HttpConfig http;

    @POST
    @Path(Routes.SLASH)
    public Uni<Response> start(@PathParam("name") String name, @QueryParam("digest") String digestParam,
            @QueryParam("mount") String mount, @QueryParam("from") String from, HttpServerRequest request,
            RoutingContext routing) {
        String repository = Names.repository(name);
        // without pull access on the source, a mount silently becomes a normal upload (Distribution)
        boolean mayMount = routing.get(Routes.MOUNT_DENIED) == null;
        if (mount != null && !mount.isEmpty() && mayMount) {
            Digest digest = Digest.parse(mount);
            return tryMount(repository, digest, from, request)
                    .chain(mounted -> mounted != null ? Uni.createFrom().item(mounted) : startSession(repository, request));
        }
        if (digestParam != null) {
            Digest digest = Digest.parse(digestParam);
            return uploads.start(repository)
                    .chain(status -> uploads.complete(status, RequestBodies.stream(request), digest))
                    .map(size -> created(repository, digest, request));
        }
        return startSession(repository, request);
    }

    /** Links a blob from another repository; null when it cannot (the client then uploads it). */
    private Uni<Response> tryMount(String repository, Digest digest, String from, HttpServerRequest request) {
        if (from == null || from.isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        String source;
        try {
            source = Names.repository(from);
        } catch (RegistryException e) {
            return Uni.createFrom().nullItem();
        }
        return repositoryBlobs.size(source, digest)
                .chain(size -> repositoryBlobs.link(repository, digest, size).map(v -> created(repository, digest, request)))
                .onFailure(RegistryException.class).recoverWithNull();
    }

    private Uni<Response> startSession(String repository, HttpServerRequest request) {
        return uploads.start(repository).chain(status -> progress(202, status, request));
    }

    @GET
    @Path(Routes.UPLOAD_ID)
    public Uni<Response> status(@PathParam("name") String name, @PathParam("uuid") String uuid,
            @QueryParam("_state") String state, HttpServerRequest request) {
        String repository = Names.repository(name);
        return checkedState(repository, uuid, state, false)
                .chain(s -> uploads.status(repository, uuid))
                .chain(status -> progress(204, status, request));
    }

    @HEAD
    @Path(Routes.UPLOAD_ID)
    public Uni<Response> statusHead(@PathParam("name") String name, @PathParam("uuid") String uuid,
            @QueryParam("_state") String state, HttpServerRequest request) {
        return status(name, uuid, state, request);
    }

    @PATCH
    @Path(Routes.UPLOAD_ID)
    public Uni<Response> patch(@PathParam("name") String name, @PathParam("uuid") String uuid,
            @QueryParam("_state") String state, HttpServerRequest request) {
        String repository = Names.repository(name);
        return checkedState(repository, uuid, state, true)
                .invoke(s -> checkContentRange(request, s.offset()))
                .chain(s -> uploads.append(stands(repository, uuid, s), RequestBodies.stream(request)))
                .chain(status -> progress(202, status, request))
                .onFailure(this::rangeInvalid).recoverWithUni(e -> rangeInvalidReply(repository, uuid, (RegistryException) e, request));
    }

    @PUT
    @Path(Routes.UPLOAD_ID)
    public Uni<Response> complete(@PathParam("name") String name, @PathParam("uuid") String uuid,
            @QueryParam("_state") String state, @QueryParam("digest") String digestParam, HttpServerRequest request) {
        String repository = Names.repository(name);
        if (digestParam == null || digestParam.isEmpty()) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "digest query parameter is required to complete an upload");
        }
        Digest digest = Digest.parse(digestParam);
        return checkedState(repository, uuid, state, true)
                .invoke(s -> {
                    if (request.getHeader("Content-Range") != null) {
                        checkContentRange(request, s.offset());
                    }
                })
                .chain(s -> uploads.complete(stands(repository, uuid, s), RequestBodies.stream(request), digest))
                .map(size -> created(repository, digest, request))
                .onFailure(this::rangeInvalid).recoverWithUni(e -> rangeInvalidReply(repository, uuid, (RegistryException) e, request));
    }

    @DELETE
    @Path(Routes.UPLOAD_ID)
    public Uni<Response> cancel(@PathParam("name") String name, @PathParam("uuid") String uuid,
            @QueryParam("_state") String state) {
        String repository = Names.repository(name);
        return checkedState(repository, uuid, state, false)
                .chain(s -> uploads.cancel(repository, uuid))
                .map(v -> Response.noContent().build());
    }

    /**
     * Opens the {@code _state} token and checks it names this upload; it is required where it says
     * the offset (PATCH, PUT), optional for status and cancel.
     */
    private Uni<UploadToken.State> checkedState(String repository, String uuid, String state, boolean required) {
        if (state == null || state.isEmpty()) {
            if (required) {
                return Uni.createFrom().failure(new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, "missing _state query parameter"));
            }
            return Uni.createFrom().item(new UploadToken.State(repository, uuid, -1, ""));
        }
        return tokens.get().map(t -> {
            UploadToken.State s = t.open(state);
            if (!repository.equals(s.name()) || !uuid.equals(s.uuid())) {
                throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, "upload state does not match this upload");
            }
            return s;
        });
    }

    /** Where the client says the upload stands, from its checked token. */
    private static BlobUploads.Status stands(String repository, String uuid, UploadToken.State state) {
        return new BlobUploads.Status(repository, uuid, state.offset(), state.startedAt());
    }

    /** {@code Content-Range: <start>-<end>} must continue exactly where the upload stands. */
    private static void checkContentRange(HttpServerRequest request, long offset) {
        String range = request.getHeader("Content-Range");
        if (range == null) {
            return;
        }
        String spec = range.trim();
        if (spec.startsWith("bytes ")) {
            spec = spec.substring("bytes ".length());
        }
        int slash = spec.indexOf('/');
        if (slash >= 0) {
            spec = spec.substring(0, slash);
        }
        int dash = spec.indexOf('-');
        long start;
        long end;
        try {
            start = Long.parseLong(spec.substring(0, dash).trim());
            end = Long.parseLong(spec.substring(dash + 1).trim());
        } catch (RuntimeException e) {
            throw new RegistryException(ErrorCode.RANGE_INVALID, "malformed Content-Range: " + range);
        }
        if (start != offset || end < start) {
            throw new RegistryException(ErrorCode.RANGE_INVALID, "Content-Range " + range + " does not continue at offset " + offset,
                    Map.of("offset", offset));
        }
        String length = request.getHeader("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) != end - start + 1) {
                    throw new RegistryException(ErrorCode.SIZE_INVALID, "Content-Length does not match Content-Range");
                }
            } catch (NumberFormatException e) {
                throw new RegistryException(ErrorCode.SIZE_INVALID, "invalid Content-Length");
            }
        }
    }

    private boolean rangeInvalid(Throwable e) {
        return e instanceof RegistryException r && r.code() == ErrorCode.RANGE_INVALID;
    }

    /** A 416 that still tells the client where the upload stands (Location, Range). */
    private Uni<Response> rangeInvalidReply(String repository, String uuid, RegistryException e, HttpServerRequest request) {
        ErrorReply reply = ErrorReply.of(416, e.code(), e.getMessage(), e.detail());
        return uploads.status(repository, uuid).chain(status -> progress(416, status, request))
                .map(progress -> {
                    Response.ResponseBuilder r = reply.response();
                    // all but progress()'s Content-Length: 0, which would cut the error body off
                    progress.getHeaders().forEach((name, values) -> {
                        if (!name.equalsIgnoreCase("Content-Length")) {
                            values.forEach(v -> r.header(name, v));
                        }
                    });
                    return r.build();
                })
                .onFailure().recoverWithItem(() -> reply.response().build());
    }

    private Uni<Response> progress(int status, BlobUploads.Status upload, HttpServerRequest request) {
        return tokens.get().map(t -> {
            String token = t.seal(new UploadToken.State(upload.repository(), upload.uuid(), upload.offset(), upload.startedAt()));
            String location = Paths.url(http, request, "/v2/" + upload.repository() + "/blobs/uploads/" + upload.uuid()
                    + "?_state=" + token);
            return Response.status(status)
                    .header("Location", location)
                    .header("Range", "0-" + Math.max(0, upload.offset() - 1))
                    .header("Docker-Upload-UUID", upload.uuid())
                    .header("Content-Length", 0)
                    .build();
        });
    }

    private Response created(String repository, Digest digest, HttpServerRequest request) {
        return Response.status(201)
                .header("Location", Paths.url(http, request, "/v2/" + repository + "/blobs/" + digest))
                .header("Docker-Content-Digest", digest.toString())
                .header("Content-Length", 0)
                .build();
    }
}
