package dev.berth.api;

import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

import dev.berth.storage.StorageException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Streams a storage read of exactly {@code length} bytes into a response with back-pressure.
 *
 * <p>The status and headers ({@code commit}) go out with the first bytes storage delivers, so a read
 * that cannot start (data gone, storage unreachable) fails the returned Uni while a proper error can
 * still be answered. A read that fails or ends short after that fails it too, with the head written:
 * the caller resets the connection, so the client sees a broken transfer and retries instead of
 * waiting for bytes that never come. When the client goes away, the read is cancelled, which releases
 * its file or storage connection, and the Uni completes.
 */
final class StreamedBody implements Flow.Subscriber<Buffer> {
    /** Storage delivered fewer bytes than the blob's recorded size. */
    static final class ShortRead extends StorageException {
        ShortRead(long read, long expected) {
            super("storage delivered " + read + " of " + expected + " bytes");
        }
    }

    private final HttpServerResponse response;
    private final Executor onContext;
    private final long length;
    private final Runnable commit;
    private final UniEmitter<? super Void> done;
    // the fields below are touched on the response's context only
    private Flow.Subscription subscription;
    private long written;
    private boolean awaitingDrain;
    private boolean finished;

    private StreamedBody(HttpServerResponse response, Executor onContext, long length, Runnable commit, UniEmitter<? super Void> done) {
        this.response = response;
        this.onContext = onContext;
        this.length = length;
        this.commit = commit;
        this.done = done;
    }

    /**
     * Sends {@code body} ({@code length > 0} bytes) after {@code commit} has set the status and headers;
     * everything runs on {@code onContext}, the response's context.
     */
    static Uni<Void> send(HttpServerResponse response, Executor onContext, Multi<Buffer> body, long length, Runnable commit) {
        return Uni.createFrom().emitter(done -> {
            StreamedBody writer = new StreamedBody(response, onContext, length, commit, done);
            done.onTermination(() -> onContext.execute(writer::stop));
            body.subscribe().withSubscriber(writer);
        });
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        onContext.execute(() -> {
            subscription = s;
            if (finished) {
                s.cancel();
                return;
            }
            response.closeHandler(v -> stop());
            response.exceptionHandler(e -> stop());
            if (response.closed()) {
                stop();
                return;
            }
            s.request(1);
        });
    }

    @Override
    public void onNext(Buffer buffer) {
        onContext.execute(() -> {
            if (finished) {
                return;
            }
            if (response.closed()) {
                stop();
                return;
            }
            if (written + buffer.length() > length) {
                subscription.cancel();
                end(new StorageException("storage delivered more than the " + length + " bytes asked for"));
                return;
            }
            if (!response.headWritten()) {
                commit.run();
            }
            written += buffer.length();
            response.write(buffer);
            if (response.writeQueueFull()) {
                // the client reads slower than storage delivers: ask for more once the queue drained
                awaitingDrain = true;
                response.drainHandler(v -> {
                    if (awaitingDrain && !finished) {
                        awaitingDrain = false;
                        subscription.request(1);
                    }
                });
            } else {
                subscription.request(1);
            }
        });
    }

    @Override
    public void onError(Throwable failure) {
        onContext.execute(() -> end(failure));
    }

    @Override
    public void onComplete() {
        onContext.execute(() -> end(written == length ? null : new ShortRead(written, length)));
    }

    private void end(Throwable failure) {
        if (finished) {
            return;
        }
        finished = true;
        if (failure != null) {
            done.fail(failure);
            return;
        }
        response.end().onComplete(ignored -> done.complete(null));
    }

    /** The client went away (or the caller gave up): cancel the read, which closes its file or connection. */
    private void stop() {
        if (finished) {
            return;
        }
        finished = true;
        if (subscription != null) {
            subscription.cancel();
        }
        done.complete(null);
    }
}
