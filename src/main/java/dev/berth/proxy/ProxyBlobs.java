package dev.berth.proxy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.berth.http.OnContext;
import dev.berth.registry.BlobStore;
import dev.berth.registry.BlobUploads;
import dev.berth.registry.Digest;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;
import dev.berth.registry.RepositoryBlobs;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;

/**
 * Blobs of a mirror that a repository does not hold yet. One upstream read feeds both the client and
 * storage: the bytes stream into an upload (hashed as they pass) and to the client, each asking for
 * more only as it takes them, so memory stays bounded and the slower side sets the pace. The blob is
 * linked only once the upload's digest is verified; a failed or cut fill leaves nothing linked and its
 * upload removed. A client that goes away does not stop the fill. Concurrent requests for a blob being
 * filled on this replica wait for that fill and are then served from storage: one upstream fetch.
 */
@ApplicationScoped
public class ProxyBlobs {
    private static final Logger LOG = Logger.getLogger(ProxyBlobs.class);

    @Inject
    Upstream upstream;
    @Inject
    BlobStore blobs;
    @Inject
    RepositoryBlobs repositoryBlobs;
    @Inject
    BlobUploads uploads;

    /** Network reads joined into one buffer on the way to client and storage (at most 64 KiB each). */
    static final int JOINED_READS = 32;

    /** Fills under way on this replica, by digest. */
    private final Map<Digest, CompletableFuture<Void>> fills = new ConcurrentHashMap<>();

    /** Where the leader of a fill sends the bytes (the client's response). */
    public interface Sink {
        /** Upstream answered; {@code size} -1 when it did not say. */
        void start(long size);

        /** The next bytes; completes once the client can take more (at once when it is gone). */
        Uni<Void> write(Buffer buffer);

        /** Everything was sent and the blob is verified and stored. */
        void end();

        /** The fill failed: before {@link #start}, an error to answer; after, a transfer to cut. */
        void fail(Throwable failure);
    }

    /** The size upstream gives for a blob this repository does not hold, for a HEAD. */
    public Uni<Long> upstreamSize(String repository, Digest digest) {
        return upstream.blobSize(repository, digest).onFailure(UpstreamException.class)
                .transform(e -> ((UpstreamException) e).toClient(ErrorCode.BLOB_UNKNOWN, digest.toString()));
    }

    /**
     * Brings a blob {@code repository} does not hold into it. True when this request led the fill and
     * {@code sink} was served (or failed); false when the blob is now linked, for the caller to serve
     * from storage as any other.
     */
    public Uni<Boolean> fetch(String repository, Digest digest, Sink sink) {
        return fetch(repository, digest, sink, true);
    }

    private Uni<Boolean> fetch(String repository, Digest digest, Sink sink, boolean mayJoin) {
        return blobs.size(digest).chain(stored -> {
            if (stored.isPresent()) {
                // stored for another repository: upstream says whether this one holds it, without a transfer
                return upstreamSize(repository, digest).chain(() -> repositoryBlobs.link(repository, digest)).replaceWith(false);
            }
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> running = fills.putIfAbsent(digest, mine);
            if (running != null) {
                LOG.debugf("proxy: %s is being fetched, waiting for it", digest);
                Uni<Void> done = Uni.createFrom().completionStage(running);
                // after a failed fill one more try, which may lead a new fill
                return (mayJoin ? done.onFailure().recoverWithNull() : done).chain(() -> fetch(repository, digest, sink, false));
            }
            return toTheEnd(fill(repository, digest, sink))
                    .onTermination().invoke((v, failure, cancelled) -> {
                        fills.remove(digest, mine);
                        if (failure != null) {
                            mine.completeExceptionally(failure);
                        } else {
                            mine.complete(null);
                        }
                    })
                    .replaceWith(true);
        });
    }

    /** Upstream's body into an upload and the sink; verified, placed and linked, or removed. */
    private Uni<Void> fill(String repository, Digest digest, Sink sink) {
        AtomicReference<Throwable> lost = new AtomicReference<>();
        return uploads.start(repository).chain(upload -> upstream.blob(HttpMethod.GET, repository, digest)
                .onFailure(UpstreamException.class).transform(e -> ((UpstreamException) e).toClient(ErrorCode.BLOB_UNKNOWN, digest.toString()))
                .chain(response -> {
                    String length = response.getHeader("Content-Length");
                    sink.start(length == null ? -1 : Long.parseLong(length.trim()));
                    HeldBack tee = new HeldBack(sink);
                    // the storage writer reports a failed body as its own failure: which side failed is kept here
                    Multi<Buffer> body = body(response).onFailure().invoke(lost::set).onItem().call(tee::pass);
                    return uploads.complete(repository, upload.uuid(), 0, body, digest).invoke(tee::finish);
                })
                .onFailure(e -> lost.get() != null || e instanceof UpstreamException)
                .transform(e -> new RegistryException(ErrorCode.UNAVAILABLE, "fetching the blob from upstream failed: "
                        + (lost.get() != null ? lost.get() : e).getMessage()))
                .onFailure().call(e -> {
                    LOG.warnf("proxy: fetching %s for %s failed: %s", digest, repository, e.getMessage());
                    sink.fail(e);
                    return uploads.cancel(repository, upload.uuid()).onFailure().recoverWithNull();
                }))
                .replaceWithVoid();
    }

    /**
     * The response body, paused until storage asks for more; demand is signalled on the connection's
     * context. Network reads are small: joined by {@link #JOINED_READS}, each step to the client, the
     * digest and the disk costs a fraction of the thread hops, and memory stays bounded by that many reads.
     * By count only: Mutiny's grouping with a timeout fails the stream ("lack of requests") when its timer
     * flushes while the client or storage has asked for nothing, which a slow side does.
     */
    private static Multi<Buffer> body(HttpClientResponse response) {
        Context context = Vertx.currentContext();
        Multi<Buffer> body = io.vertx.mutiny.core.http.HttpClientResponse.newInstance(response).toMulti()
                .map(io.vertx.mutiny.core.buffer.Buffer::getDelegate);
        return (context == null ? body : body.runSubscriptionOn(OnContext.of(context)))
                .group().intoLists().of(JOINED_READS)
                .map(ProxyBlobs::joined);
    }

    private static Buffer joined(List<Buffer> reads) {
        if (reads.size() == 1) {
            return reads.get(0);
        }
        Buffer all = Buffer.buffer(reads.stream().mapToInt(Buffer::length).sum());
        reads.forEach(all::appendBuffer);
        return all;
    }

    /** Runs to its end even when the caller cancels: the fill serves the requests waiting for it. */
    private static <T> Uni<T> toTheEnd(Uni<T> operation) {
        return Uni.createFrom().emitter(emitter -> operation.subscribe().with(emitter::complete, emitter::fail));
    }

    /**
     * Passes each buffer on one step late: the last one reaches the client only once the blob is
     * verified, so a client never receives the whole of a blob whose digest is wrong.
     */
    private static final class HeldBack {
        private final Sink sink;
        private Buffer held;

        HeldBack(Sink sink) {
            this.sink = sink;
        }

        Uni<Void> pass(Buffer buffer) {
            Buffer previous = held;
            held = buffer;
            return previous == null ? Uni.createFrom().voidItem() : sink.write(previous);
        }

        void finish() {
            if (held != null) {
                sink.write(held).subscribe().with(v -> sink.end(), sink::fail);
            } else {
                sink.end();
            }
        }
    }
}
