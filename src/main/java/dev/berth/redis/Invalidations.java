package dev.berth.redis;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands.ReactiveRedisSubscriber;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Command;

/**
 * Cache invalidations between replicas, on one Redis pub/sub channel: a replica that changes what a
 * cache entry says (tag moved, manifest or blob deleted, garbage collected) publishes
 * {@code <cache> <key>} once storage holds the change, and every replica, subscribed, evicts that
 * entry from its own cache. While this replica is not subscribed (Redis down, or reconnecting), it may
 * miss invalidations, so its caches are emptied and bypassed ({@link #trusted()} false) until the
 * subscription is back; it reconnects by itself.
 */
@Singleton
public class Invalidations {
    private static final Logger LOG = Logger.getLogger(Invalidations.class);
    static final String CHANNEL = "berth:invalidations";
    /** The cache name of a message that empties every cache (after a garbage collection). */
    static final String ALL = "*";
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration MAX_RETRY = Duration.ofSeconds(2);
    /** How often the pool's connections are checked, so a silent network (no TCP reset) is noticed too. */
    private static final Duration PING_INTERVAL = Duration.ofSeconds(5);
    private static final Duration READY_POLL = Duration.ofMillis(50);

    /** What a cache does with an invalidation: evict one key, or everything. */
    private record Listener(Consumer<String> evict, Runnable evictAll) {
    }

    private final Map<String, Listener> listeners = new ConcurrentHashMap<>();
    /** Counts subscriptions: a loss reported twice (end and exception) or late reconnects only once. */
    private final AtomicLong generation = new AtomicLong();
    private final RedisLink link;
    private final Vertx vertx;
    private volatile ReactiveRedisSubscriber subscriber;
    private volatile Duration retry = FIRST_RETRY;
    private volatile boolean stopped;
    /** An invalidation could not be published: once Redis is back, every replica empties its caches. */
    private volatile boolean missed;
    private long pingTimer = -1;

    @Inject
    Invalidations(RedisLink link, Vertx vertx) {
        this.link = link;
        this.vertx = vertx;
        link.onRecovery(this::publishMissed);
    }

    /** {@code cache} names the entries this listener evicts; keys are the cache's own. */
    public void register(String cache, Consumer<String> evict, Runnable evictAll) {
        listeners.put(cache, new Listener(evict, evictAll));
    }

    /** Whether the {@code redis} section is configured. */
    public boolean configured() {
        return link.configured();
    }

    /** Whether local cache entries can be served: always without Redis (they expire by their TTL), only while subscribed with it. */
    public boolean trusted() {
        return !link.configured() || link.up();
    }

    /** Tells every replica to evict {@code key} from {@code cache}; never fails (without Redis there is no one to tell). */
    public Uni<Void> publish(String cache, String key) {
        if (!link.configured()) {
            return Uni.createFrom().voidItem();
        }
        if (!link.up()) {
            missed = true;
            return Uni.createFrom().voidItem();
        }
        String message = cache + " " + key;
        return pubsub().publish(CHANNEL, message)
                .ifNoItem().after(link.settings().writeTimeout()).fail()
                .onFailure().invoke(e -> {
                    missed = true;
                    LOG.warnf("redis: invalidation %s not published (every cache is emptied when Redis is back): %s", message, e.getMessage());
                })
                .onFailure().recoverWithNull();
    }

    /** Tells every replica to empty its caches. */
    public Uni<Void> publishAll() {
        return publish(ALL, ALL);
    }

    /**
     * {@link #publishAll()} for a garbage collection's sweep, which must not go on if replicas may keep
     * what it removed: fails when Redis is configured but unreachable.
     */
    public Uni<Void> publishAllOrFail() {
        if (!link.configured()) {
            return Uni.createFrom().voidItem();
        }
        if (!link.up()) {
            return Uni.createFrom().failure(unreachable());
        }
        return pubsub().publish(CHANNEL, ALL + " " + ALL).ifNoItem().after(link.settings().writeTimeout()).fail();
    }

    /** Replicas that stayed subscribed while this one could not publish may hold what it changed: they empty their caches. */
    private Uni<Void> publishMissed() {
        if (!missed) {
            return Uni.createFrom().voidItem();
        }
        return pubsub().publish(CHANNEL, ALL + " " + ALL).ifNoItem().after(link.settings().writeTimeout()).fail()
                .invoke(() -> missed = false);
    }

    /** Completes once subscribed, or fails after the connect and read timeouts (a collection waits for Redis at startup). */
    public Uni<Void> ready() {
        if (trusted()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().item(link::up).onItem().delayIt().by(READY_POLL)
                .repeat().until(up -> up).collect().last().replaceWithVoid()
                .ifNoItem().after(link.settings().dialTimeout().plus(link.settings().readTimeout())).failWith(this::unreachable);
    }

    /**
     * With Redis, how long a replica may still serve an entry after its invalidation was published: one
     * that missed it on a silent connection notices at its next PING and empties its caches.
     */
    public Duration staleness() {
        return PING_INTERVAL.plus(link.settings().readTimeout());
    }

    private IllegalStateException unreachable() {
        return new IllegalStateException("redis " + String.join(",", link.settings().addrs()) + " unreachable: replicas could not be told");
    }

    void start(@Observes StartupEvent event) {
        if (link.configured()) {
            subscribe(generation.get());
            pingTimer = vertx.setPeriodic(PING_INTERVAL.toMillis(), id -> ping());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        if (pingTimer >= 0) {
            vertx.cancelTimer(pingTimer);
        }
        ReactiveRedisSubscriber current = subscriber;
        if (current != null) {
            current.unsubscribe().ifNoItem().after(link.settings().writeTimeout()).fail().onFailure().recoverWithNull().await().indefinitely();
        }
    }

    private ReactivePubSubCommands<String> pubsub() {
        return link.dataSource().pubsub(String.class);
    }

    private void subscribe(long current) {
        pubsub().subscribe(CHANNEL, this::received, () -> lost(current, null), e -> lost(current, e))
                .ifNoItem().after(link.settings().dialTimeout().plus(link.settings().readTimeout())).fail()
                .subscribe().with(s -> subscribed(current, s), e -> lost(current, e));
    }

    private void subscribed(long current, ReactiveRedisSubscriber s) {
        if (stopped || generation.get() != current) {
            s.unsubscribe().subscribe().with(v -> { }, e -> { });
            return;
        }
        subscriber = s;
        // what this replica could not write to Redis while it was away goes first; invalidations published
        // while it was not subscribed are lost: it starts afresh
        link.recover().subscribe().with(v -> {
            retry = FIRST_RETRY;
            evictAll();
            link.reachable();
        }, e -> {
            lost(current, e);
            s.unsubscribe().subscribe().with(v -> { }, ignored -> { });
        });
    }

    /** The subscription ended or failed: caches untrusted and emptied at once, and a new subscription after a backoff. */
    private void lost(long current, Throwable cause) {
        if (stopped || !generation.compareAndSet(current, current + 1)) {
            return;
        }
        link.unreachable(cause);
        evictAll();
        subscriber = null;
        Duration delay = retry;
        retry = delay.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay.multipliedBy(2);
        vertx.setTimer(delay.toMillis(), id -> subscribe(current + 1));
    }

    /** A subscription on a connection that went silent would never end by itself: a failed PING through the pool ends it. */
    private void ping() {
        long current = generation.get();
        if (stopped || subscriber == null) {
            return;
        }
        link.dataSource().execute(Command.PING).ifNoItem().after(link.settings().readTimeout()).fail()
                .subscribe().with(ok -> { }, e -> {
                    ReactiveRedisSubscriber stale = subscriber;
                    lost(current, e);
                    if (stale != null) {
                        stale.unsubscribe().subscribe().with(v -> { }, ignored -> { });
                    }
                });
    }

    private void received(String message) {
        int space = message.indexOf(' ');
        if (space < 0) {
            return;
        }
        String cache = message.substring(0, space);
        if (cache.equals(ALL)) {
            evictAll();
            return;
        }
        Listener listener = listeners.get(cache);
        if (listener != null) {
            listener.evict().accept(message.substring(space + 1));
        }
    }

    private void evictAll() {
        listeners.values().forEach(l -> l.evictAll().run());
    }
}
