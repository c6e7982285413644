package dev.berth.proxy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.berth.registry.Digest;
import dev.berth.registry.Tags;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * When each cached tag expires ({@code proxy.ttl}), kept in one small object in storage as
 * Distribution's {@code scheduler-state.json}, so expiry survives restarts and is shared by replicas
 * (each merges its entries into the object, the later expiry winning). A tag is fresh until its
 * expiry; then a sweep removes its link, and its entry (with the digest it named) stays one more
 * TTL, at least {@link #REMEMBER}, so a pull while upstream is down can still be answered with the
 * stale copy. The object is written by the sweep when something changed, as Distribution saves its
 * state every few seconds rather than on every change: a crash loses at most one sweep's entries,
 * and a tag without an entry only costs upstream a HEAD.
 */
@ApplicationScoped
public class TagExpiry {
    private static final Logger LOG = Logger.getLogger(TagExpiry.class);
    /** Outside Distribution's tree, as Berth's other state. */
    static final String STATE = "/berth/proxy-scheduler-state.json";
    private static final Duration MIN_SWEEP = Duration.ofSeconds(1);
    private static final Duration MAX_SWEEP = Duration.ofMinutes(1);
    /** How long an expired tag's digest is kept at least, for stale-if-error answers. */
    static final Duration REMEMBER = Duration.ofDays(1);
    private static final Duration SAVE_AT_STOP = Duration.ofSeconds(5);

    /** A cached tag: the digest it named and when it stops being fresh; {@code removed} once its link is gone. */
    record Entry(String repository, String tag, String digest, long expiresAt, boolean removed) {
        JsonObject json() {
            return new JsonObject().put("repository", repository).put("tag", tag).put("digest", digest)
                    .put("expiry", Instant.ofEpochMilli(expiresAt).toString()).put("removed", removed);
        }

        static Entry of(JsonObject json) {
            return new Entry(json.getString("repository"), json.getString("tag"), json.getString("digest"),
                    Instant.parse(json.getString("expiry")).toEpochMilli(), json.getBoolean("removed", false));
        }
    }

    @Inject
    Upstream upstream;
    @Inject
    StorageDriver driver;
    @Inject
    Tags tags;
    @Inject
    Vertx vertx;

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicBoolean saving = new AtomicBoolean();
    private volatile boolean dirty;
    private long timer = -1;

    void start(@Observes StartupEvent event) {
        if (!upstream.enabled() || !upstream.settings().expires()) {
            return;
        }
        Duration ttl = upstream.settings().ttl();
        Duration every = ttl.dividedBy(4).compareTo(MIN_SWEEP) < 0 ? MIN_SWEEP : ttl.dividedBy(4).compareTo(MAX_SWEEP) > 0 ? MAX_SWEEP
                : ttl.dividedBy(4);
        // until it is read, tags count as not fresh: a pull asks upstream, which costs a HEAD, not a wrong answer
        load().subscribe().with(stored -> stored.forEach(e -> entries.merge(key(e.repository(), e.tag()), e, TagExpiry::later)),
                e -> LOG.warnf("proxy: cannot read %s: %s", STATE, e.getMessage()));
        timer = vertx.setPeriodic(every.toMillis(), id -> sweep().subscribe().with(v -> { },
                e -> LOG.warnf("proxy: tag expiry sweep failed: %s", e.getMessage())));
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer < 0) {
            return;
        }
        vertx.cancelTimer(timer);
        if (dirty) {
            try {
                // what changed since the last sweep; a stop without it only costs upstream HEADs later
                save().await().atMost(SAVE_AT_STOP);
            } catch (RuntimeException e) {
                LOG.warnf("proxy: cannot save %s at shutdown: %s", STATE, e.getMessage());
            }
        }
    }

    /** Whether the tag was cached within its TTL (always, with {@code ttl: 0}, once it was cached). */
    boolean fresh(String repository, String tag) {
        if (!upstream.settings().expires()) {
            return true;
        }
        Entry e = entries.get(key(repository, tag));
        return e != null && !e.removed() && System.currentTimeMillis() < e.expiresAt();
    }

    /** The digest the tag named when it was last cached, even once expired. */
    Optional<Digest> last(String repository, String tag) {
        return Optional.ofNullable(entries.get(key(repository, tag))).map(e -> Digest.parse(e.digest()));
    }

    /** The tag was cached (again) now, naming {@code digest}: fresh for one TTL. */
    Uni<Void> arm(String repository, String tag, Digest digest) {
        if (!upstream.settings().expires()) {
            return Uni.createFrom().voidItem();
        }
        long expiresAt = System.currentTimeMillis() + upstream.settings().ttl().toMillis();
        entries.put(key(repository, tag), new Entry(repository, tag, digest.toString(), expiresAt, false));
        dirty = true;
        return Uni.createFrom().voidItem();
    }

    /** Removes the links of expired tags (only where they still name the cached digest) and forgets old entries. */
    Uni<Void> sweep() {
        long now = System.currentTimeMillis();
        long keep = Math.max(upstream.settings().ttl().toMillis(), REMEMBER.toMillis());
        List<Uni<Void>> removals = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.removed() && e.expiresAt() + keep < now) {
                entries.remove(key(e.repository(), e.tag()), e);
                dirty = true;
            } else if (!e.removed() && e.expiresAt() <= now) {
                removals.add(tags.resolve(e.repository(), e.tag())
                        .chain(current -> current.filter(d -> d.toString().equals(e.digest())).isPresent()
                                ? tags.untag(e.repository(), e.tag()).replaceWithVoid()
                                : Uni.createFrom().voidItem())
                        .invoke(() -> {
                            entries.replace(key(e.repository(), e.tag()), e, new Entry(e.repository(), e.tag(), e.digest(), e.expiresAt(), true));
                            LOG.debugf("proxy: %s:%s expired", e.repository(), e.tag());
                        }));
                dirty = true;
            }
        }
        Uni<Void> removed = removals.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(removals).andCollectFailures().replaceWithVoid();
        return removed.chain(() -> dirty ? save() : Uni.createFrom().voidItem());
    }

    /** Merges this replica's entries into the stored state and writes it; one save at a time, a change meanwhile saves at the next sweep. */
    private Uni<Void> save() {
        if (!saving.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        dirty = false;
        return load().chain(stored -> {
            stored.forEach(e -> entries.merge(key(e.repository(), e.tag()), e, TagExpiry::later));
            JsonObject json = new JsonObject();
            entries.forEach((k, e) -> json.put(k, e.json()));
            return driver.putContent(STATE, json.encodePrettily().getBytes(StandardCharsets.UTF_8));
        }).onFailure().invoke(() -> dirty = true)
                .onTermination().invoke(() -> saving.set(false));
    }

    private Uni<List<Entry>> load() {
        return driver.getContent(STATE)
                .map(bytes -> {
                    JsonObject json = new JsonObject(new String(bytes, StandardCharsets.UTF_8));
                    List<Entry> out = new ArrayList<>();
                    json.forEach(field -> out.add(Entry.of((JsonObject) field.getValue())));
                    return out;
                })
                .onFailure(PathNotFoundException.class).recoverWithItem(List.of());
    }

    /** Of two entries for one tag, the one cached last. */
    private static Entry later(Entry a, Entry b) {
        return a.expiresAt() >= b.expiresAt() ? a : b;
    }

    private static String key(String repository, String tag) {
        return repository + ":" + tag;
    }
}
