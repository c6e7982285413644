package dev.berth.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.berth.config.StorageConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * {@code storage.cache.blobdescriptor: redis}: blob descriptors in Redis under Distribution's keys, so
 * replicas (and registry:2 sharing the Redis) fill and use one cache. Global, {@code blobs::<digest>}
 * (a hash of {@code digest}, {@code size}, {@code mediatype}); per repository, the set
 * {@code repository::<name>::blobs} of the digests it holds and the hash
 * {@code repository::<name>::blobs::<digest>} of its {@code mediatype}. As in Distribution, a
 * repository's descriptor is found only when the digest is in its set and the global hash has its size.
 * Redis failing or slow never fails a lookup: storage answers.
 */
@Singleton
public class RedisBlobDescriptors {
    private static final Logger LOG = Logger.getLogger(RedisBlobDescriptors.class);
    /** What Distribution's blob statter records for a blob. */
    static final String MEDIA_TYPE = "application/octet-stream";
    /**
     * A storage read that took longer is not written to Redis: a delete clears the entry again after
     * twice this, so a read that saw the link just before the delete cannot leave it in Redis for good.
     */
    public static final Duration WRITE_BACK_WINDOW = Duration.ofSeconds(1);
    /** Keys per DEL when a garbage collection clears what it swept. */
    private static final int CLEAR_BATCH = 1000;
    /** Clears kept while Redis is unreachable (a few keys each), replayed when it is back. */
    private static final int MAX_UNSENT = 100_000;
    private static final long MISS = -1;
    private static final long UNREACHABLE = -2;

    private final RedisLink link;
    private final Vertx vertx;
    private final boolean enabled;
    private final ConcurrentLinkedQueue<Request> unsent = new ConcurrentLinkedQueue<>();
    private final AtomicInteger unsentCount = new AtomicInteger();

    @Inject
    RedisBlobDescriptors(RedisLink link, StorageConfig storage, Vertx vertx) {
        this.link = link;
        this.vertx = vertx;
        this.enabled = link.configured() && storage.cache().blobdescriptor().map("redis"::equalsIgnoreCase).orElse(false);
        link.onRecovery(this::replay);
    }

    /** The size of {@code digest} in {@code repository}: from Redis, else from {@code storage} (and then kept in Redis). */
    public Uni<Optional<Long>> size(String repository, String digest, Supplier<Uni<Optional<Long>>> storage) {
        if (!enabled || !link.up()) {
            return storage.get();
        }
        long start = System.nanoTime();
        return lookup(repository, digest).chain(size -> {
            if (size >= 0) {
                return Uni.createFrom().item(Optional.of(size));
            }
            return storage.get().invoke(found -> {
                if (size == MISS && found.isPresent() && System.nanoTime() - start < WRITE_BACK_WINDOW.toNanos()) {
                    keep(repository, digest, found.get());
                }
            });
        });
    }

    /**
     * A link just written to storage, kept in Redis as Distribution sets the descriptor when a blob is committed;
     * a delete through another replica meanwhile clears it again after the write-back window ({@link #forget}).
     */
    public void linked(String repository, String digest, long size) {
        if (enabled && link.up()) {
            keep(repository, digest, size);
        }
    }

    private void keep(String repository, String digest, long size) {
        remember(repository, digest, size).subscribe().with(ok -> { }, e -> LOG.debugf("redis: descriptor not kept: %s", e));
    }

    /** Drops the repository's descriptor and the global one (which it reads), now and once more after the write-back window. */
    public Uni<Void> forget(String repository, String digest) {
        return forgetLinks(List.of(Map.entry(repository, digest)));
    }

    /** {@link #forget} for many (repository, digest) links at once (a garbage collection's sweep). */
    public Uni<Void> forgetLinks(List<Map.Entry<String, String>> links) {
        List<Request> clear = new ArrayList<>();
        for (Map.Entry<String, String> link : links) {
            clear.add(Request.cmd(Command.SREM).arg(repositorySet(link.getKey())).arg(link.getValue()));
            clear.add(Request.cmd(Command.DEL).arg(repositoryHash(link.getKey(), link.getValue())).arg(globalHash(link.getValue())));
        }
        return clearTwice(clear);
    }

    /** Drops the global descriptors of blobs whose data is gone (garbage collected): every repository then misses them. */
    public Uni<Void> forgetBlobs(List<String> digests) {
        if (digests.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Request> clear = new ArrayList<>();
        for (int at = 0; at < digests.size(); at += CLEAR_BATCH) {
            Request del = Request.cmd(Command.DEL);
            digests.subList(at, Math.min(digests.size(), at + CLEAR_BATCH)).forEach(d -> del.arg(globalHash(d)));
            clear.add(del);
        }
        return clearTwice(clear);
    }

    private Uni<Void> clearTwice(List<Request> clear) {
        if (!enabled || clear.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        if (!link.up()) {
            keep(clear);
            return Uni.createFrom().voidItem();
        }
        vertx.setTimer(WRITE_BACK_WINDOW.multipliedBy(2).toMillis(), id -> send(clear).subscribe().with(ok -> { }, e -> keep(clear)));
        return send(clear).replaceWithVoid()
                .onFailure().invoke(e -> {
                    LOG.warnf("redis: descriptors not cleared now, they will be when Redis answers: %s", e.getMessage());
                    keep(clear);
                })
                .onFailure().recoverWithNull();
    }

    /** A clear that could not reach Redis, so that a descriptor deleted meanwhile is not served from Redis once it is back. */
    private void keep(List<Request> clear) {
        if (unsentCount.addAndGet(clear.size()) > MAX_UNSENT) {
            unsentCount.addAndGet(-clear.size());
            LOG.errorf("redis: more than %d descriptor clears could not reach Redis; delete its blobs::* and repository::* keys "
                    + "if deletes were made meanwhile", MAX_UNSENT);
            return;
        }
        unsent.addAll(clear);
    }

    /** Sends the kept clears (before Redis is trusted again); what fails stays kept for the next time. */
    private Uni<Void> replay() {
        List<Request> pending = new ArrayList<>();
        for (Request r; (r = unsent.poll()) != null;) {
            pending.add(r);
        }
        unsentCount.addAndGet(-pending.size());
        if (pending.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return send(pending).replaceWithVoid().onFailure().invoke(e -> keep(pending));
    }

    /** The size, {@link #MISS}, or {@link #UNREACHABLE} (then storage answers, and nothing is written back). */
    private Uni<Long> lookup(String repository, String digest) {
        List<Request> stat = List.of(Request.cmd(Command.SISMEMBER).arg(repositorySet(repository)).arg(digest),
                Request.cmd(Command.HMGET).arg(globalHash(digest)).arg("digest").arg("size").arg("mediatype"));
        return link.dataSource().getRedis().batch(stat)
                .ifNoItem().after(link.settings().readTimeout()).fail()
                .map(replies -> {
                    Response member = replies.get(0);
                    Response hash = replies.get(1);
                    if (member == null || member.toInteger() != 1 || hash == null || hash.get(0) == null || hash.get(1) == null) {
                        return MISS;
                    }
                    return Long.parseLong(hash.get(1).toString());
                })
                .onFailure().recoverWithItem(e -> {
                    LOG.debugf("redis: descriptor lookup failed, storage answers: %s", e.getMessage());
                    return UNREACHABLE;
                });
    }

    /** Distribution's setDescriptor, repository-scoped: set membership, global digest and size, media types. */
    private Uni<List<Response>> remember(String repository, String digest, long size) {
        return send(List.of(Request.cmd(Command.SADD).arg(repositorySet(repository)).arg(digest),
                Request.cmd(Command.HSET).arg(globalHash(digest)).arg("digest").arg(digest).arg("size").arg(size),
                Request.cmd(Command.HSETNX).arg(globalHash(digest)).arg("mediatype").arg(MEDIA_TYPE),
                Request.cmd(Command.HSET).arg(repositoryHash(repository, digest)).arg("mediatype").arg(MEDIA_TYPE)));
    }

    private Uni<List<Response>> send(List<Request> requests) {
        return link.dataSource().getRedis().batch(requests).ifNoItem().after(link.settings().writeTimeout()).fail();
    }

    static String globalHash(String digest) {
        return "blobs::" + digest;
    }

    static String repositorySet(String repository) {
        return "repository::" + repository + "::blobs";
    }

    static String repositoryHash(String repository, String digest) {
        return "repository::" + repository + "::blobs::" + digest;
    }
}
