package dev.berth.api;

import java.util.concurrent.atomic.AtomicReference;

import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Request bodies as back-pressured streams. Quarkus REST has no reactive body type (quarkus#13661),
 * so resources that stream take no body parameter and read the Vert.x request here: it stays paused
 * until the storage asks for more, and nothing is buffered whole.
 */
final class RequestBodies {
    private RequestBodies() {
    }

    static Multi<Buffer> stream(HttpServerRequest request) {
        // a client gone before the storage subscribes (opening an S3 upload takes round trips) must
        // still fail the stream: Vert.x reports the closed connection once, to the handler set then
        AtomicReference<Throwable> early = new AtomicReference<>();
        request.exceptionHandler(early::set);
        Multi<Buffer> body = Multi.createFrom().deferred(() -> early.get() != null
                ? Multi.createFrom().failure(early.get())
                : io.vertx.mutiny.core.http.HttpServerRequest.newInstance(request).toMulti()
                        .map(io.vertx.mutiny.core.buffer.Buffer::getDelegate));
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        // storage asks for more on its own threads (the S3 client's); pause/fetch belong on the request's context
        return context == null ? body : body.runSubscriptionOn(command -> context.runOnContext(v -> command.run()));
    }

    /** A small body (a manifest), refused with 413 SIZE_INVALID past {@code limit} bytes. */
    static Uni<byte[]> small(HttpServerRequest request, int limit) {
        String declared = request.getHeader("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > limit) {
                    return Uni.createFrom().failure(tooLarge(limit));
                }
            } catch (NumberFormatException e) {
                return Uni.createFrom().failure(new RegistryException(ErrorCode.SIZE_INVALID, "invalid Content-Length"));
            }
        }
        return stream(request)
                .collect().in(Buffer::buffer, (all, next) -> {
                    if (all.length() + next.length() > limit) {
                        throw tooLarge(limit);
                    }
                    all.appendBuffer(next);
                })
                .map(Buffer::getBytes);
    }

    private static RegistryException tooLarge(int limit) {
        return new RegistryException(ErrorCode.SIZE_INVALID, 413, "manifest larger than " + limit + " bytes", null);
    }
}
