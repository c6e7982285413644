package dev.berth.proxy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.berth.http.OnContext;
import dev.berth.outbound.BoundedBody;
import dev.berth.registry.BlobStore;
import dev.berth.registry.BlobUploads;
import dev.berth.registry.Digest;
import dev.berth.registry.Digester;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;
import dev.berth.registry.RepositoryBlobs;
import dev.berth.storage.StorageDriver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;

/**
 * Blobs of a mirror that a repository does not hold yet. One upstream read feeds both the client and
 * storage, each asking for more only as it takes them, so memory stays bounded. The blob is linked
 * only once its digest is verified; a failed or cut fill leaves nothing linked or stored. A client
 * that goes away does not stop the fill. Concurrent requests for a blob being filled on this replica
 * share that fill, one upstream fetch: on S3 they read its spool as it grows; otherwise (or from
 * another repository, or for a small blob held in memory) they wait for it and are then served from
 * storage.
 *
 * <p>On the filesystem the bytes go straight into the upload (the disk is faster than the network):
 * the slower side sets the pace. On S3, whose multipart writes are slower than most upstreams, they
 * go to the client and to a local {@link Spool} that storage reads at its own pace: the client gets
 * its last bytes once the digest over the whole body is verified, not once storage has committed.
 * The verified blob then goes from the spool straight to its place in the bucket, which shows it only
 * once it is whole ({@link BlobStore#putVerified}).
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
    @Inject
    StorageDriver driver;
    @Inject
    Vertx vertx;

    /** Network reads joined into one view on the way to client and spool (each at most {@link Upstream#MAX_CHUNK_BYTES}). */
    static final int JOINED_READS = 32;
    /** At most the bytes of one step of a fill to the client. */
    public static final int STEP_BYTES = JOINED_READS * Upstream.MAX_CHUNK_BYTES;
    /** Network reads joined into one copy on the way to client and storage: under half a G1 region (1 MiB at 512 MiB of heap), not a humongous object. */
    static final int COPIED_READS = 4;
    /** Blobs up to this size are fetched into memory rather than a spool (on S3). */
    static final int SMALL_BLOB_BYTES = 1024 * 1024;

    /** Fills under way on this replica, by digest. */
    private final Map<Digest, Running> fills = new ConcurrentHashMap<>();

    /** Where the leader of a fill sends the bytes (the client's response). */
    public interface Sink {
        /** Upstream answered; {@code size} -1 when it did not say. */
        void start(long size);

        /** The next bytes; completes once the client can take more (at once when it is gone). */
        Uni<Void> write(Buffer buffer);

        /** Everything was sent and the blob is verified. */
        void end();

        /** The fill failed: before {@link #start}, an error to answer; after, a transfer to cut. */
        void fail(Throwable failure);

        /** The client went away: nothing more needs reading for it. */
        boolean gone();
    }

    /** A fill under way: when its client was served, and when the blob is stored. Both run to their end whatever the caller does. */
    private record Fill(CompletableFuture<Void> served, CompletableFuture<Void> stored) {
    }

    /**
     * A fill as others see it: {@code spooled} completes with its spool and the blob's size once
     * upstream answered and the spool is written (null when the fill has none or failed first);
     * {@code stored} once the blob is stored or the fill failed.
     */
    private record Running(String repository, CompletableFuture<Spooled> spooled, CompletableFuture<Void> stored) {
    }

    private record Spooled(Spool spool, long size) {
    }

    /** The size upstream gives for a blob this repository does not hold, for a HEAD. */
    public Uni<Long> upstreamSize(String repository, Digest digest) {
        return upstream.blobSize(repository, digest).onFailure(UpstreamException.class).transform(e -> refused(e, digest));
    }

    /**
     * Brings a blob {@code repository} does not hold into it; {@code stored} is the size of its content in storage as
     * just looked up ({@link RepositoryBlobs#held}). True when this request led the fill and {@code sink} was served (or
     * failed); false when the blob is now linked, for the caller to serve from storage as any other.
     */
    public Uni<Boolean> fetch(String repository, Digest digest, Optional<Long> stored, Sink sink) {
        return fetch(repository, digest, Uni.createFrom().item(stored), sink, true);
    }

    private Uni<Boolean> fetch(String repository, Digest digest, Uni<Optional<Long>> content, Sink sink, boolean mayJoin) {
        return content.chain(stored -> {
            if (stored.isPresent()) {
                // stored for another repository: upstream says whether this one holds it, without a transfer
                return upstreamSize(repository, digest).chain(() -> repositoryBlobs.link(repository, digest, stored.get())).replaceWith(false);
            }
            Running mine = new Running(repository, new CompletableFuture<>(), new CompletableFuture<>());
            Running running = fills.putIfAbsent(digest, mine);
            if (running != null) {
                return join(running, repository, digest, sink, mayJoin);
            }
            Fill fill = spooling() ? spooled(repository, digest, sink, mine.spooled()) : teed(repository, digest, sink);
            fill.stored().whenComplete((v, failure) -> {
                fills.remove(digest, mine);
                mine.spooled().complete(null);
                if (failure != null) {
                    mine.stored().completeExceptionally(failure);
                } else {
                    mine.stored().complete(null);
                }
            });
            return Uni.createFrom().completionStage(fill.served().copy()).replaceWith(true);
        });
    }

    /**
     * A request for a blob another request is fetching: it reads that fill's spool as it grows when
     * there is one for the same repository (another repository's access is upstream's to confirm),
     * otherwise it waits for the blob to be stored and is served from storage.
     */
    private Uni<Boolean> join(Running running, String repository, Digest digest, Sink sink, boolean mayJoin) {
        // copies: a waiter that goes away cancels its own wait, not the fill's futures
        return Uni.createFrom().completionStage(running.spooled().copy()).chain(spooled -> {
            if (spooled != null && running.repository().equals(repository) && spooled.spool().join()) {
                LOG.debugf("proxy: %s is being fetched, reading its spool", digest);
                return follow(spooled, sink).replaceWith(true);
            }
            LOG.debugf("proxy: %s is being fetched, waiting for it", digest);
            Uni<Void> done = Uni.createFrom().completionStage(running.stored().copy());
            // after a failed fill one more try, which may lead a new fill
            return (mayJoin ? done.onFailure().recoverWithNull() : done).chain(() -> fetch(repository, digest, blobs.size(digest), sink, false));
        });
    }

    /** A fill's spool to {@code sink} as the fill writes it, until its client goes; the failure of the fill cuts the transfer. */
    private static Uni<Void> follow(Spooled spooled, Sink sink) {
        sink.start(spooled.size());
        return spooled.spool().read().select().first(b -> !sink.gone()).onItem().call(sink::write).collect().last()
                .invoke(sink::end)
                .onFailure().invoke(sink::fail)
                .onTermination().invoke(spooled.spool()::leave) // cancelled too: the file is removed once no reader is left
                .replaceWithVoid();
    }

    /**
     * Whether fills go through a spool: on storage that publishes a file at its commit (S3), whose writes are slower
     * than the client's reads, and which takes the spooled blob straight into its place.
     */
    private boolean spooling() {
        return driver.publishesOnCommit();
    }

    /** Upstream's body into an upload and the sink at once; the client is served when the blob is stored. */
    private Fill teed(String repository, Digest digest, Sink sink) {
        AtomicReference<Throwable> lost = new AtomicReference<>();
        CompletableFuture<Void> done = uploads.start(repository).chain(upload -> get(repository, digest)
                .chain(response -> {
                    sink.start(length(response));
                    HeldBack tee = new HeldBack(sink);
                    // the storage writer reports a failed body as its own failure: which side failed is kept here
                    Multi<Buffer> body = body(response, COPIED_READS, ProxyBlobs::copied).onFailure().invoke(lost::set).onItem().call(tee::pass);
                    return uploads.complete(upload, body, digest).invoke(tee::finish);
                })
                .onFailure(e -> lost.get() != null || e instanceof UpstreamException)
                .transform(e -> unavailable(lost.get() != null ? lost.get() : e))
                .onFailure().call(e -> {
                    LOG.warnf("proxy: fetching %s for %s failed: %s", digest, repository, e.getMessage());
                    sink.fail(e);
                    return uploads.cancel(repository, upload.uuid()).onFailure().recoverWithNull();
                }))
                .replaceWithVoid().subscribeAsCompletionStage();
        return new Fill(done, done);
    }

    /**
     * Upstream's body to the sink and a spool at once (or, for a small blob, held in memory); then, once
     * the client is served, storage reads it at its own pace. Storing after serving, not beside it: on a
     * busy machine the two compete for the same cores and the client would go at storage's pace again.
     * A fill whose upstream read fails stores nothing; the spool is deleted on every path.
     */
    private Fill spooled(String repository, Digest digest, Sink sink, CompletableFuture<Spooled> spooled) {
        CompletableFuture<Served> served = get(repository, digest)
                .chain(response -> {
                    long size = length(response);
                    return size >= 0 && size <= SMALL_BLOB_BYTES ? held(response, sink, digest) : spool(response, sink, digest, size, spooled);
                })
                .onFailure().invoke(e -> {
                    LOG.warnf("proxy: fetching %s for %s failed: %s", digest, repository, e.getMessage());
                    sink.fail(e);
                })
                .subscribeAsCompletionStage();
        CompletableFuture<Void> stored = Uni.createFrom().completionStage(served).chain(blob -> store(repository, digest, blob))
                .subscribeAsCompletionStage();
        return new Fill(served.thenApply(blob -> null), stored);
    }

    /**
     * A served blob as storage takes it: how its verified bytes are stored (completing with their size), and what to
     * release once they are or not. Both are called only when storing starts, whatever a driver does at assembly.
     */
    private record Served(Supplier<Uni<Long>> put, Supplier<Uni<Void>> release) {
    }

    private Uni<Served> spool(HttpClientResponse response, Sink sink, Digest digest, long size, CompletableFuture<Spooled> spooled) {
        return Spool.create(vertx, upstream.settings().spoolDirectory(), digest.algorithm())
                .onFailure().invoke(() -> response.request().reset())
                .onFailure().transform(e -> new RegistryException(ErrorCode.UNAVAILABLE, "no spool file for the blob: " + e.getMessage()))
                .chain(spool -> {
                    sink.start(size);
                    spooled.complete(new Spooled(spool, size));
                    return serve(response, spool, sink, digest)
                            .onFailure().invoke(spool::failed)
                            .onFailure().call(spool::delete)
                            .replaceWith(new Served(() -> blobs.putVerified(digest, spool.read()), spool::delete));
                });
    }

    /**
     * A small blob (a config, a small layer) read whole into memory, hashed, and sent once verified: no spool
     * file and no worker thread, whose hand-offs would cost more than the bytes. A wrong blob is an error
     * to answer, not a transfer to cut. Storage takes it in one PutObject, not a multipart upload opened and
     * then aborted: one request instead of three.
     */
    private Uni<Served> held(HttpClientResponse response, Sink sink, Digest digest) {
        return Upstream.uni(() -> BoundedBody.read(response, SMALL_BLOB_BYTES)).onFailure().transform(ProxyBlobs::unavailable)
                .chain(body -> {
                    Digest got = Digester.of(digest.algorithm(), body);
                    if (!got.equals(digest)) {
                        return Uni.createFrom().failure(unavailable(new IllegalStateException(
                                "upstream sent " + body.length() + " bytes of digest " + got)));
                    }
                    sink.start(body.length());
                    sink.write(body).subscribe().with(v -> sink.end(), sink::fail);
                    return Uni.createFrom().item(new Served(() -> blobs.put(digest, body.getBytes()).replaceWith((long) body.length()),
                            () -> Uni.createFrom().voidItem()));
                });
    }

    /**
     * The served blob written straight into its place and linked, or nothing stored; released either way.
     * Its digest was verified as it was fetched, and a spool checks what storage reads back: no upload folder
     * to open, hash again, copy into place and remove.
     */
    private Uni<Void> store(String repository, Digest digest, Served blob) {
        return blob.put().get()
                .chain(size -> repositoryBlobs.link(repository, digest, size))
                .onFailure().invoke(e -> LOG.warnf("proxy: storing %s for %s failed (its client was served): %s", digest, repository, e.getMessage()))
                .eventually(() -> blob.release().get())
                .replaceWithVoid();
    }

    /**
     * Upstream's body into the spool and to the sink: the next buffer is read once the client took this
     * one and the spool wrote the one before it; the last one reaches the client once every buffer is
     * written and the digest over the whole body is verified.
     */
    private static Uni<Void> serve(HttpClientResponse response, Spool spool, Sink sink, Digest digest) {
        HeldBack tee = new HeldBack(sink);
        return body(response, JOINED_READS, ProxyBlobs::viewed).onFailure().transform(ProxyBlobs::unavailable)
                .onItem().call(buffer -> Uni.combine().all().unis(spool.append(buffer), tee.pass(buffer)).discardItems())
                .collect().last().replaceWithVoid()
                .chain(spool::appended)
                .chain(() -> {
                    if (!spool.digest().equals(digest)) {
                        return Uni.createFrom().failure(unavailable(new IllegalStateException(
                                "upstream sent " + spool.length() + " bytes of digest " + spool.digest())));
                    }
                    spool.verified();
                    tee.finish();
                    return Uni.createFrom().voidItem();
                });
    }

    /** Upstream's answer to a GET of the blob, its body paused; what upstream refused as the client should see it. */
    private Uni<HttpClientResponse> get(String repository, Digest digest) {
        return upstream.blob(HttpMethod.GET, repository, digest).onFailure(UpstreamException.class).transform(e -> refused(e, digest));
    }

    /** What upstream answered instead of the blob, as the client should see it. */
    private static RegistryException refused(Throwable failure, Digest digest) {
        return ((UpstreamException) failure).toClient(ErrorCode.BLOB_UNKNOWN, digest.toString());
    }

    private static long length(HttpClientResponse response) {
        String length = response.getHeader("Content-Length");
        return length == null ? -1 : Long.parseLong(length.trim());
    }

    private static RegistryException unavailable(Throwable cause) {
        return new RegistryException(ErrorCode.UNAVAILABLE, "fetching the blob from upstream failed: " + cause.getMessage());
    }

    /**
     * The response body, paused until storage asks for more; demand is signalled on the connection's
     * context. Network reads are small: joined by {@code reads}, each step to the client, the digest and
     * the disk costs a fraction of the thread hops, and memory stays bounded by that many reads.
     * By count only: Mutiny's grouping with a timeout fails the stream ("lack of requests") when its timer
     * flushes while the client or storage has asked for nothing, which a slow side does.
     */
    private static Multi<Buffer> body(HttpClientResponse response, int reads, Function<List<Buffer>, Buffer> join) {
        Context context = Vertx.currentContext();
        Multi<Buffer> body = io.vertx.mutiny.core.http.HttpClientResponse.newInstance(response).toMulti()
                .map(io.vertx.mutiny.core.buffer.Buffer::getDelegate);
        return (context == null ? body : body.runSubscriptionOn(OnContext.of(context)))
                .group().intoLists().of(reads)
                .map(joined -> joined.size() == 1 ? joined.get(0) : join.apply(joined));
    }

    /**
     * The reads as one buffer that views them, for the spool, which writes it piece by piece: a copy
     * would allocate every join anew, each large enough to be a humongous object for G1.
     */
    private static Buffer viewed(List<Buffer> reads) {
        return Buffer.buffer(Unpooled.wrappedBuffer(reads.size(), reads.stream().map(Buffer::getByteBuf).toArray(ByteBuf[]::new)));
    }

    /** The reads copied into one buffer, for a storage writer, which would write each piece of a view as a task of its own. */
    private static Buffer copied(List<Buffer> reads) {
        Buffer all = Buffer.buffer(reads.stream().mapToInt(Buffer::length).sum());
        reads.forEach(all::appendBuffer);
        return all;
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
