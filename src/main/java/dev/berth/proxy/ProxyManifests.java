package dev.berth.proxy;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.berth.registry.Digest;
import dev.berth.registry.DigestAlgorithm;
import dev.berth.registry.Digester;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.Manifest;
import dev.berth.registry.Manifests;
import dev.berth.registry.Names;
import dev.berth.registry.RegistryException;
import dev.berth.registry.Tags;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;

/**
 * Manifests of a mirror. By digest they are immutable: served from storage, fetched once. By tag
 * they are served from storage while the tag is fresh ({@link TagExpiry}); then upstream is asked
 * with a HEAD (which registries such as Docker Hub do not count against pull quotas) and the
 * manifest fetched only when its digest is not stored. When upstream is down, throttling or failing,
 * the stored copy is served, marked stale. A fetched or newly tagged manifest is served before it is
 * stored: the writes (content, revision link, tag links) run behind the response, and a request for
 * it meanwhile is answered from memory, not upstream again. A tag is written only after the manifest
 * it names; it is fresh only once stored. A failed store is logged and the next pull fetches again.
 */
@ApplicationScoped
public class ProxyManifests {
    private static final Logger LOG = Logger.getLogger(ProxyManifests.class);

    @Inject
    Upstream upstream;
    @Inject
    Manifests manifests;
    @Inject
    Tags tags;
    @Inject
    TagExpiry expiry;

    /** Manifests served and still being stored, by repository and digest. */
    private final Map<String, Storing> storing = new ConcurrentHashMap<>();

    /** A manifest being stored; {@code done} completes when it is, or fails with the store. */
    private record Storing(Manifests.Stored stored, CompletableFuture<Void> done) {
    }

    /** A manifest to serve; {@code stale} when upstream could not confirm it. */
    public record Served(Manifests.Stored stored, boolean stale) {
    }

    public Uni<Served> get(String repository, String reference) {
        if (Digest.looksLikeDigest(reference)) {
            Digest digest = Digest.parse(reference);
            return local(repository, digest).chain(found -> found.isPresent()
                    ? Uni.createFrom().item(new Served(found.get(), false))
                    : fetch(repository, digest.toString(), null).map(stored -> new Served(stored, false)));
        }
        String tag = Names.tag(reference);
        if (expiry.fresh(repository, tag)) {
            return manifests.get(repository, tag).map(stored -> new Served(stored, false))
                    .onFailure(ProxyManifests::unknown).recoverWithUni(() -> revalidate(repository, tag));
        }
        return revalidate(repository, tag);
    }

    /** HEAD upstream; the stored revision when upstream names one this repository holds, else a GET. */
    private Uni<Served> revalidate(String repository, String tag) {
        return upstream.manifest(HttpMethod.HEAD, repository, tag).chain(head -> {
            if (head.status() != 200) {
                return Uni.createFrom().failure(new UpstreamException(head.status(), "HEAD of " + repository + ":" + tag + " answered "
                        + head.status()));
            }
            Optional<Digest> named = Optional.ofNullable(head.digest()).filter(Digest::looksLikeDigest).map(Digest::parse);
            Uni<Optional<Manifests.Stored>> held = named.isPresent() ? local(repository, named.get()) : Uni.createFrom().item(Optional.empty());
            return held.chain(found -> found.isPresent()
                    // the tag only once the revision it names is stored, should that still be under way
                    ? Uni.createFrom().item(behind(repository, tag, found.get(),
                            afterStoring(repository, found.get().digest()).chain(() -> tags.tag(repository, tag, found.get().digest()))))
                    : fetch(repository, tag, tag));
        }).map(stored -> new Served(stored, false))
                .onFailure(UpstreamException.class).recoverWithUni(e -> stale(repository, tag, (UpstreamException) e));
    }

    /** Upstream could not answer: the copy stored under the tag, or the one it named before it expired. */
    private Uni<Served> stale(String repository, String tag, UpstreamException failure) {
        if (!failure.transientFailure()) {
            return Uni.createFrom().failure(failure.toClient(ErrorCode.MANIFEST_UNKNOWN, tag));
        }
        return manifests.get(repository, tag).map(stored -> new Served(stored, true))
                .onFailure(ProxyManifests::unknown).recoverWithUni(() -> expiry.last(repository, tag)
                        .map(digest -> local(repository, digest))
                        .orElse(Uni.createFrom().item(Optional.empty()))
                        .map(found -> new Served(found.orElseThrow(() -> failure.toClient(ErrorCode.MANIFEST_UNKNOWN, tag)), true)))
                .invoke(() -> LOG.warnf("proxy: serving %s:%s from the cache, upstream failed: %s", repository, tag, failure.getMessage()));
    }

    /** GET {@code reference} upstream, check its digest, store it (tagged {@code tag} when not null). */
    private Uni<Manifests.Stored> fetch(String repository, String reference, String tag) {
        return upstream.manifest(HttpMethod.GET, repository, reference).chain(reply -> {
            if (reply.status() != 200) {
                return Uni.createFrom().failure(new UpstreamException(reply.status(), "GET of " + repository + ":" + reference + " answered "
                        + reply.status()));
            }
            Optional<Digest> announced = Optional.ofNullable(reply.digest()).filter(Digest::looksLikeDigest).map(Digest::parse);
            Digest expected = tag == null ? Digest.parse(reference) : announced.orElse(null);
            Digest actual = Digester.of(expected == null ? DigestAlgorithm.SHA256 : expected.algorithm(), reply.body());
            if (expected != null && !actual.equals(expected)) {
                return Uni.createFrom().failure(new UpstreamException(502, "upstream sent a manifest of digest " + actual + " for " + reference));
            }
            // checked here (a manifest storage would refuse is not served), stored behind the response
            String storedAs = tag == null ? actual.toString() : tag;
            Uni<Manifests.Pushed> put = manifests.putMirrored(repository, storedAs, reply.body(), reply.contentType());
            return Uni.createFrom().item(behind(repository, tag,
                    new Manifests.Stored(Manifests.digestOf(storedAs, reply.body()), Manifest.stored(reply.body())), put));
        }).onFailure(UpstreamException.class).transform(e -> tag == null
                ? ((UpstreamException) e).toClient(ErrorCode.MANIFEST_UNKNOWN, reference)
                : e);
    }

    /**
     * {@code stored}, to serve now, while {@code store} writes it (and {@code tag}, when not null, is fresh once
     * written): on S3 that is five requests in a row, which the client need not wait for.
     */
    private Manifests.Stored behind(String repository, String tag, Manifests.Stored stored, Uni<?> store) {
        String key = key(repository, stored.digest());
        Storing entry = new Storing(stored, new CompletableFuture<>());
        storing.put(key, entry);
        store.call(() -> tag == null ? Uni.createFrom().voidItem() : expiry.arm(repository, tag, stored.digest()))
                .onTermination().invoke(() -> storing.remove(key, entry))
                .subscribe().with(done -> entry.done().complete(null), failure -> {
                    entry.done().completeExceptionally(failure);
                    LOG.warnf("proxy: storing the manifest %s of %s failed, the next pull fetches it again: %s", stored.digest(), repository,
                            failure.getMessage());
                });
        return stored;
    }

    /** Completes once the store of this manifest under way now, if any, has; fails with it. */
    private Uni<Void> afterStoring(String repository, Digest digest) {
        Storing entry = storing.get(key(repository, digest));
        return entry == null ? Uni.createFrom().voidItem() : Uni.createFrom().completionStage(entry.done().copy());
    }

    private static String key(String repository, Digest digest) {
        return repository + "@" + digest;
    }

    /** The manifest if this repository holds it (or is storing it). */
    private Uni<Optional<Manifests.Stored>> local(String repository, Digest digest) {
        Storing entry = storing.get(key(repository, digest));
        if (entry != null) {
            return Uni.createFrom().item(Optional.of(entry.stored()));
        }
        return manifests.get(repository, digest.toString()).map(Optional::of)
                .onFailure(ProxyManifests::unknown).recoverWithItem(Optional.empty());
    }

    private static boolean unknown(Throwable e) {
        return e instanceof RegistryException r && r.code() == ErrorCode.MANIFEST_UNKNOWN;
    }
}
