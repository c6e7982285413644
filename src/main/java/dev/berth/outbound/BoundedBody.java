package dev.berth.outbound;

import java.io.IOException;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;

/**
 * The whole body of an answer from a server Berth calls (an upstream registry, its token service, a notification
 * endpoint, AWS's ip ranges), held in memory only up to a limit: a server that declares or sends more (a wrong URL,
 * a hostile or broken server, an endless body) fails the read at once and its connection is reset, rather than
 * filling the heap or holding the caller until a timeout.
 */
public final class BoundedBody {
    private BoundedBody() {
    }

    /** An answer over the limit. */
    public static final class TooLargeException extends IOException {
        TooLargeException(String message) {
            super(message);
        }
    }

    /**
     * The body, or {@link TooLargeException}; a paused response is resumed. Call it in the callback that hands over the
     * response (on its event loop), or on a response paused there: Vert.x drops a body that arrives before its handler.
     */
    public static Future<Buffer> read(HttpClientResponse response, long limit) {
        String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && declared(length) > limit) {
            response.request().reset();
            return Future.failedFuture(new TooLargeException("answer of " + length + " bytes, over the limit of " + limit));
        }
        Promise<Buffer> body = Promise.promise();
        Buffer received = Buffer.buffer();
        response.handler(piece -> {
            if (body.future().isComplete()) {
                return;
            }
            if (received.length() + (long) piece.length() > limit) {
                body.tryFail(new TooLargeException("answer longer than the limit of " + limit + " bytes"));
                response.request().reset();
                return;
            }
            received.appendBuffer(piece);
        });
        response.exceptionHandler(body::tryFail);
        response.endHandler(end -> body.tryComplete(received));
        response.resume();
        return body.future();
    }

    /** Beyond any limit when it is no number a long holds. */
    private static long declared(String contentLength) {
        try {
            return Long.parseLong(contentLength.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
