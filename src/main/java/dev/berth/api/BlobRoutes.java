package dev.berth.api;

import java.io.FileNotFoundException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.berth.config.StorageConfig;
import dev.berth.http.ClientHangUp;
import dev.berth.http.ErrorReply;
import dev.berth.http.OnContext;
import dev.berth.http.Routes;
import dev.berth.proxy.ProxyBlobs;
import dev.berth.proxy.Upstream;
import dev.berth.http.Routes.Route;
import dev.berth.http.Routes.Stage;
import dev.berth.registry.BlobStore;
import dev.berth.registry.Digest;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.Names;
import dev.berth.registry.RegistryException;
import dev.berth.registry.RepositoryBlobs;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.RedirectRequest;
import dev.berth.storage.middleware.MiddlewareMetrics;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniSubscriber;
import io.smallrye.mutiny.subscription.UniSubscription;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /v2/<name>/blobs/<digest>}: GET and HEAD, the hot path of every pull (307 to the storage
 * or CDN, or the bytes with Range, ETag and 304), and DELETE. Vert.x routes rather than a JAX-RS
 * resource so the body streams with an exact Content-Length (Quarkus REST chunks every streamed
 * body) and the redirect costs no more than a cache lookup. They run after the access filter.
 */
@ApplicationScoped
public class BlobRoutes {
    private static final Logger LOG = Logger.getLogger(BlobRoutes.class);
    private static final Pattern PATH = Route.BLOB.pattern();
    private static final int NAME = Route.BLOB.group("name");
    private static final int DIGEST = Route.BLOB.group("digest");
    private static final String CACHE_FOREVER = "max-age=31536000";
    /** What {@link #contentHeaders} and a range set. */
    private static final List<String> BODY_HEADERS = List.of("Content-Length", "Content-Type", "ETag", "Accept-Ranges", "Cache-Control",
            "Content-Range");

    @Inject
    RepositoryBlobs repositoryBlobs;
    @Inject
    BlobStore blobs;
    @Inject
    StorageConfig storage;
    @Inject
    MiddlewareMetrics redirects;
    @Inject
    Upstream upstream;
    @Inject
    ProxyBlobs proxyBlobs;

    void install(@Observes Router router) {
        var route = router.route().order(Stage.BLOBS.order()).handler(this::handle)
                .putMetadata(Routes.ROUTE, Route.BLOB);
        Route.BLOB.methods().forEach(route::method);
    }

    private void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            ctx.next();
            return;
        }
        if (path.endsWith("/") && ctx.request().method() != HttpMethod.DELETE) {
            // the read routes never took the trailing slash the other routes take: it stays a 404 from JAX-RS
            ctx.next();
            return;
        }
        if (ctx.request().method() == HttpMethod.DELETE) {
            delete(ctx, m);
        } else {
            read(ctx, m);
        }
    }

    /**
     * As few Mutiny callbacks as the reply needs: context propagation captures and restores the
     * request's contexts around every callback, the larger part of a cached redirect's cost.
     */
    private void read(RoutingContext ctx, Matcher m) {
        HttpServerResponse response = ctx.response();
        String repository;
        Digest digest;
        try {
            repository = Names.repository(m.group(NAME));
            digest = Digest.parse(m.group(DIGEST));
        } catch (RuntimeException e) {
            fail(response, e);
            return;
        }
        // a cache miss completes on the storage's thread (the S3 client's): headers are written on the request's context
        Executor onContext = OnContext.of(ctx.vertx().getOrCreateContext());
        HttpServerRequest request = ctx.request();
        Uni<Void> served = upstream.enabled() ? mirrored(request, response, repository, digest, onContext)
                : repositoryBlobs.size(repository, digest).emitOn(onContext).chain(size -> respond(request, response, repository, digest, size, onContext));
        served.emitOn(onContext).subscribe().withSubscriber(new Reply(response));
    }

    /**
     * A mirror's blob: served as any other when linked here; else (or when its content went missing since) from
     * upstream, knowing from the same lookup whether storage holds its content for another repository.
     */
    private Uni<Void> mirrored(HttpServerRequest request, HttpServerResponse response, String repository, Digest digest, Executor onContext) {
        return repositoryBlobs.held(repository, digest).emitOn(onContext).chain(held -> held.linked().isEmpty()
                ? mirror(request, response, repository, digest, held.stored(), onContext)
                : respond(request, response, repository, digest, held.linked().get(), onContext)
                        .onFailure(e -> blobUnknown(e) && !response.headWritten())
                        .recoverWithUni(() -> blobs.size(digest).emitOn(onContext)
                                .chain(stored -> mirror(request, response, repository, digest, stored, onContext))));
    }

    /**
     * A mirror's blob this repository does not hold: a HEAD is answered with upstream's size, a GET
     * fetches it from upstream while serving it, or waits for the fetch under way and then serves it
     * from storage as any other.
     */
    private Uni<Void> mirror(HttpServerRequest request, HttpServerResponse response, String repository, Digest digest, Optional<Long> stored,
            Executor onContext) {
        if (request.method() == HttpMethod.HEAD) {
            return proxyBlobs.upstreamSize(repository, digest).emitOn(onContext).chain(size -> {
                contentHeaders(response.headers(), digest, size);
                response.headers().set("Docker-Content-Digest", digest.toString());
                if (size < 0) {
                    response.headers().remove("Content-Length");
                }
                return Uni.createFrom().completionStage(response.end().toCompletionStage());
            });
        }
        return proxyBlobs.fetch(repository, digest, stored, new MirroredBody(response, onContext, digest)).emitOn(onContext)
                .chain(served -> served ? Uni.createFrom().voidItem()
                        : repositoryBlobs.size(repository, digest).emitOn(onContext)
                                .chain(size -> respond(request, response, repository, digest, size, onContext)));
    }

    private static boolean blobUnknown(Throwable e) {
        return e instanceof RegistryException r && r.code() == ErrorCode.BLOB_UNKNOWN;
    }

    /** 202 with the digest; 405 UNSUPPORTED when deletion is disabled. Name and digest are decoded, as JAX-RS did. */
    private void delete(RoutingContext ctx, Matcher m) {
        Executor onContext = OnContext.of(ctx.vertx().getOrCreateContext());
        HttpServerResponse response = ctx.response();
        Uni.createFrom().deferred(() -> {
            String repository = Names.repository(Routes.decode(m.group(NAME)));
            Digest digest = Digest.parse(Routes.decode(m.group(DIGEST)));
            if (!storage.delete().enabled()) {
                throw new RegistryException(ErrorCode.UNSUPPORTED, "deletion is disabled (storage.delete.enabled)");
            }
            return repositoryBlobs.unlink(repository, digest).replaceWith(digest);
        }).emitOn(onContext)
                .subscribe().with(digest -> response.setStatusCode(202).putHeader("Docker-Content-Digest", digest.toString())
                        .putHeader("Content-Length", "0").end(), failure -> fail(response, failure));
    }

    private Uni<Void> respond(HttpServerRequest request, HttpServerResponse response, String repository, Digest digest, long size,
            Executor onContext) {
        MultiMap headers = response.headers();
        headers.set("Docker-Content-Digest", digest.toString());
        if (request.method() == HttpMethod.HEAD) {
            contentHeaders(headers, digest, size);
            return end(response);
        }
        if (EntityTags.matches(request.getHeader("If-None-Match"), digest)) {
            headers.set("ETag", EntityTags.of(digest));
            return end(response.setStatusCode(304));
        }
        Uni<Optional<String>> redirect = storage.redirect().disable()
                ? Uni.createFrom().item(Optional.empty())
                : blobs.redirectUrl(redirectRequest(request), digest).emitOn(onContext);
        return redirect.chain(url -> {
            if (url.isPresent()) {
                headers.set("Location", url.get()).set("Content-Type", "application/octet-stream");
                return end(response.setStatusCode(307));
            }
            redirects.notRedirected.increment();
            return stream(request, response, repository, digest, size, onContext);
        });
    }

    private Uni<Void> stream(HttpServerRequest request, HttpServerResponse response, String repository, Digest digest, long size,
            Executor onContext) {
        ByteRange range = ByteRange.parse(request.getHeader("Range"), size);
        if (range != null && !range.satisfiable()) {
            response.headers().set("Content-Range", "bytes */" + size);
            throw new RegistryException(ErrorCode.RANGE_INVALID, 416, "requested range not satisfiable", Map.of("size", size));
        }
        long offset = range == null ? 0 : range.start();
        long length = range == null ? size : range.length();
        Runnable commit = () -> {
            contentHeaders(response.headers(), digest, size);
            if (range != null) {
                response.setStatusCode(206);
                response.headers().set("Content-Range", "bytes " + range.start() + "-" + range.end() + "/" + size)
                        .set("Content-Length", Long.toString(length));
            }
        };
        if (length == 0) {
            commit.run();
            return Uni.createFrom().completionStage(response.end().toCompletionStage());
        }
        // the size may come from the descriptor cache: the status goes out only once storage delivers
        // bytes (or opened the file), so data deleted behind the cache (by another replica) is a 404, not a 200 that never ends
        Optional<String> file = zeroCopy(request) ? blobs.localFile(digest) : Optional.empty();
        Uni<Void> sent = file.isPresent()
                ? sendFile(response, file.get(), offset, length, commit)
                : StreamedBody.send(response, onContext, blobs.read(digest, offset, length), length, commit);
        return sent
                .onFailure(e -> !response.headWritten() && (e instanceof PathNotFoundException || e instanceof StreamedBody.ShortRead))
                .call(() -> repositoryBlobs.forget(repository, digest))
                .onFailure(PathNotFoundException.class).transform(e -> RepositoryBlobs.blobUnknown(digest));
    }

    /**
     * Whether the connection can take a file by the kernel's {@code sendfile}: cleartext HTTP/1.x. Over
     * TLS Vert.x would read the file on the event loop, and HTTP/2 reads it 8 KiB at a time; those stream.
     */
    private static boolean zeroCopy(HttpServerRequest request) {
        return !request.isSSL() && request.version() != HttpVersion.HTTP_2;
    }

    /**
     * Sends the file with Vert.x's sendFile (a zero-copy file region, closed when the transfer ends or
     * the connection drops): one open() on the event loop, as Vert.x's own static files do, instead of a
     * worker hop, a copy and a Mutiny item per chunk. A missing file fails before the head goes out.
     */
    private static Uni<Void> sendFile(HttpServerResponse response, String file, long offset, long length, Runnable commit) {
        commit.run();
        // Vert.x sets it from the file itself: a file shorter than recorded ends the body where the file ends
        response.headers().remove("Content-Length");
        return Uni.createFrom().completionStage(() -> response.sendFile(file, offset, length).toCompletionStage())
                .onFailure(e -> !response.headWritten()).transform(e -> {
                    // the error reply must not carry the blob's headers (a 404 cached for a year)
                    response.setStatusCode(200);
                    BODY_HEADERS.forEach(response.headers()::remove);
                    return e instanceof FileNotFoundException ? new PathNotFoundException(file) : e;
                })
                // the client hung up (perhaps before Vert.x marked the response closed): Vert.x closed the file, nobody is left to answer
                .onFailure(e -> response.closed() || ClientHangUp.is(e)).recoverWithItem(() -> {
                    response.reset();
                    return null;
                });
    }

    /** A reply without a body, sent: a client that has gone meanwhile loses nothing, so it is not waited for. */
    private static Uni<Void> end(HttpServerResponse response) {
        response.end();
        return Uni.createFrom().voidItem();
    }

    static void contentHeaders(MultiMap headers, Digest digest, long size) {
        headers.set("Content-Length", Long.toString(size))
                .set("Content-Type", "application/octet-stream")
                .set("ETag", EntityTags.of(digest))
                .set("Accept-Ranges", "bytes")
                .set("Cache-Control", CACHE_FOREVER);
    }

    private static RedirectRequest redirectRequest(HttpServerRequest request) {
        List<String> forwarded = request.headers().getAll("X-Forwarded-For");
        return new RedirectRequest(request.method().name(), request.remoteAddress().hostAddress(), forwarded);
    }

    /** Ends the request on failure; a subscriber rather than {@code subscribe().with}, whose callbacks each capture the contexts. */
    private static final class Reply implements UniSubscriber<Void> {
        private final HttpServerResponse response;

        Reply(HttpServerResponse response) {
            this.response = response;
        }

        @Override
        public void onSubscribe(UniSubscription subscription) {
        }

        @Override
        public void onItem(Void item) {
        }

        @Override
        public void onFailure(Throwable failure) {
            fail(response, failure);
        }
    }

    /** An error before the headers went out gets the OCI body; after, the connection is cut. */
    private static void fail(HttpServerResponse response, Throwable failure) {
        if (response.headWritten()) {
            // status and Content-Length are out: only a broken connection tells the client the body is incomplete
            LOG.warnf("blob download cut off: %s", failure.toString());
            response.reset();
            return;
        }
        if (response.closed()) {
            return;
        }
        ErrorReply.of(failure).send(response);
    }
}
