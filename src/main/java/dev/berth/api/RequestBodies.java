package dev.berth.api;

import java.util.concurrent.atomic.AtomicReference;

import dev.berth.http.ClientAbortedException;
import dev.berth.http.OnContext;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * Request bodies as back-pressured streams. Quarkus REST has no reactive body type (quarkus#13661),
 * so resources that stream take no body parameter and read the Vert.x request here: it stays paused
 * until the storage asks for more, and nothing is buffered whole.
 */
final class RequestBodies {
    /** How much more of a refused body is read and thrown away before the connection is closed. */
    static final long DISCARD_AT_MOST = 8L * 1024 * 1024;
    /** How long a client still sending a refused body is given before the connection is closed. */
    private static final long DISCARD_MILLIS = 10_000;

    private RequestBodies() {
    }

    /** An upload's body; a failure to read it is the client's ({@link ClientAbortedException}). */
    static Multi<Buffer> stream(HttpServerRequest request) {
        return stream(request, ErrorCode.BLOB_UPLOAD_INVALID);
    }

    private static Multi<Buffer> stream(HttpServerRequest request, ErrorCode aborted) {
        // a client gone before the storage subscribes (opening an S3 upload takes round trips) must
        // still fail the stream: Vert.x reports the closed connection once, to the handler set then
        AtomicReference<Throwable> early = new AtomicReference<>();
        request.exceptionHandler(early::set);
        Multi<Buffer> body = Multi.createFrom().deferred(() -> {
            if (early.get() != null) {
                return Multi.createFrom().failure(new ClientAbortedException(aborted, early.get()));
            }
            continueIfExpected(request);
            return io.vertx.mutiny.core.http.HttpServerRequest.newInstance(request).toMulti()
                    .map(io.vertx.mutiny.core.buffer.Buffer::getDelegate)
                    .onFailure().transform(e -> new ClientAbortedException(aborted, e));
        });
        Context context = Vertx.currentContext();
        // storage asks for more on its own threads (the S3 client's); pause/fetch belong on the request's context
        return context == null ? body : body.runSubscriptionOn(OnContext.of(context));
    }

    /**
     * A client that sent {@code Expect: 100-continue} holds its body back until told to go on (curl
     * waits a second). Told once the body is wanted: a request refused before (auth, an unknown upload,
     * a wrong range) is answered before any of its body is sent. HTTP/1.0 has no 100 (RFC 9110 10.1.1).
     */
    private static void continueIfExpected(HttpServerRequest request) {
        if (request.version() != HttpVersion.HTTP_1_0 && "100-continue".equalsIgnoreCase(request.getHeader("Expect"))
                && !request.response().headWritten()) {
            request.response().writeContinue();
        }
    }

    /**
     * A small body (a manifest), refused with 413 SIZE_INVALID past {@code limit} bytes. The connection
     * is then closed soon after the answer: left open, the HTTP layer would read and discard the rest of
     * the body, however large the client says it is.
     */
    static Uni<byte[]> small(RoutingContext ctx, int limit) {
        HttpServerRequest request = ctx.request();
        String declared = request.getHeader("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > limit) {
                    return Uni.createFrom().failure(tooLarge(ctx, limit));
                }
            } catch (NumberFormatException e) {
                return Uni.createFrom().failure(new RegistryException(ErrorCode.SIZE_INVALID, "invalid Content-Length"));
            }
        }
        return stream(request, ErrorCode.MANIFEST_INVALID)
                .collect().in(Buffer::buffer, (all, next) -> {
                    if (all.length() + next.length() > limit) {
                        throw tooLarge(ctx, limit);
                    }
                    all.appendBuffer(next);
                })
                .map(Buffer::getBytes);
    }

    private static RegistryException tooLarge(RoutingContext ctx, int limit) {
        if (ctx.request().version() == HttpVersion.HTTP_2) {
            // one stream of a shared connection; after a complete response, NO_ERROR asks the client to stop sending it (RFC 9113 8.1)
            ctx.addEndHandler(done -> ctx.response().reset(0));
        } else {
            ctx.response().headers().set("Connection", "close");
            ctx.addEndHandler(done -> discardThenClose(ctx.request(), ctx.vertx()));
        }
        return new RegistryException(ErrorCode.SIZE_INVALID, 413, "manifest larger than " + limit + " bytes", null);
    }

    /**
     * Closing right after the answer would reset the connection under a client still writing its body,
     * and many clients then report the failed write rather than the 413. So the body is read on and
     * thrown away until it ends, {@link #DISCARD_AT_MOST} bytes or {@link #DISCARD_MILLIS} at most, and
     * then the connection is closed.
     */
    private static void discardThenClose(HttpServerRequest request, Vertx vertx) {
        HttpConnection connection = request.connection();
        if (request.isEnded()) {
            connection.close();
            return;
        }
        long timer = vertx.setTimer(DISCARD_MILLIS, id -> connection.close());
        Runnable close = () -> {
            vertx.cancelTimer(timer);
            connection.close();
        };
        long[] discarded = {0};
        request.handler(buffer -> {
            discarded[0] += buffer.length();
            if (discarded[0] > DISCARD_AT_MOST) {
                close.run();
            }
        });
        request.endHandler(v -> close.run());
        request.resume();
    }
}
