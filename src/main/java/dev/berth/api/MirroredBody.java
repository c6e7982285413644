package dev.berth.api;

import java.util.concurrent.Executor;

import org.jboss.logging.Logger;

import dev.berth.http.ErrorReply;
import dev.berth.proxy.ProxyBlobs;
import dev.berth.registry.Digest;
import io.netty.channel.WriteBufferWaterMark;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * A blob download fed by a mirror's upstream fetch ({@link ProxyBlobs}): 200 with the blob's headers
 * when upstream answers, then its bytes as they arrive, each write completing once the client's
 * queue has room. A client that went away takes nothing and holds nothing up: the fill goes on.
 * Everything touching the response runs on its context.
 */
final class MirroredBody implements ProxyBlobs.Sink {
    private static final Logger LOG = Logger.getLogger(MirroredBody.class);

    /** Bytes queued for the client before a write waits: two of a fill's steps. */
    static final int WRITE_QUEUE_BYTES = 2 * ProxyBlobs.STEP_BYTES;
    /**
     * Netty's default, given back once the body is done: Vert.x sets the queue on the whole connection, and the
     * next response on a kept-alive one would otherwise queue 4 MiB before its back-pressure starts.
     */
    static final int DEFAULT_WRITE_QUEUE_BYTES = WriteBufferWaterMark.DEFAULT.high();

    private final HttpServerResponse response;
    private final Executor onContext;
    private final Digest digest;
    /** A write waiting for the client's queue to drain; completed by the drain, or by the client going away. */
    private UniEmitter<? super Void> waiting;

    MirroredBody(HttpServerResponse response, Executor onContext, Digest digest) {
        this.response = response;
        this.onContext = onContext;
        this.digest = digest;
    }

    @Override
    public void start(long size) {
        onContext.execute(() -> {
            if (response.closed()) {
                return;
            }
            response.closeHandler(v -> release());
            response.exceptionHandler(e -> release());
            response.drainHandler(v -> release());
            // room for a fill's next step while this one goes out, so the client's socket never waits for upstream
            response.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
            BlobRoutes.contentHeaders(response.headers(), digest, size);
            response.headers().set("Docker-Content-Digest", digest.toString());
            if (size < 0) {
                response.headers().remove("Content-Length");
                response.setChunked(true);
            }
        });
    }

    @Override
    public Uni<Void> write(Buffer buffer) {
        return Uni.createFrom().emitter(emitter -> onContext.execute(() -> {
            if (response.closed()) {
                emitter.complete(null);
                return;
            }
            response.write(buffer);
            if (response.writeQueueFull()) {
                waiting = emitter;
            } else {
                emitter.complete(null);
            }
        }));
    }

    @Override
    public void end() {
        onContext.execute(() -> {
            if (!response.closed()) {
                // before end(): an ended response refuses it
                response.setWriteQueueMaxSize(DEFAULT_WRITE_QUEUE_BYTES);
                response.end();
            }
        });
    }

    @Override
    public void fail(Throwable failure) {
        onContext.execute(() -> {
            release();
            if (response.closed()) {
                return;
            }
            if (!response.ended()) {
                response.setWriteQueueMaxSize(DEFAULT_WRITE_QUEUE_BYTES);
            }
            if (response.headWritten()) {
                // status and length are out: only a broken connection tells the client the body is incomplete
                LOG.warnf("mirrored blob download cut off: %s", failure.toString());
                response.reset();
                return;
            }
            for (String header : new String[] {"Content-Length", "ETag", "Cache-Control", "Accept-Ranges", "Docker-Content-Digest"}) {
                response.headers().remove(header);
            }
            ErrorReply.of(failure).send(response);
        });
    }

    @Override
    public boolean gone() {
        return response.closed();
    }

    private void release() {
        UniEmitter<? super Void> w = waiting;
        waiting = null;
        if (w != null) {
            w.complete(null);
        }
    }
}
