package dev.berth.proxy;

import java.util.Optional;

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
 * the stored copy is served, marked stale.
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
                    ? tags.tag(repository, tag, found.get().digest()).replaceWith(found.get())
                    : fetch(repository, tag, tag));
        }).call(stored -> expiry.arm(repository, tag, stored.digest()))
                .map(stored -> new Served(stored, false))
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
            // served from the bytes just verified and stored, not read back: two storage round trips fewer
            return manifests.putMirrored(repository, tag == null ? actual.toString() : tag, reply.body(), reply.contentType())
                    .map(pushed -> new Manifests.Stored(pushed.digest(), Manifest.stored(reply.body())));
        }).onFailure(UpstreamException.class).transform(e -> tag == null
                ? ((UpstreamException) e).toClient(ErrorCode.MANIFEST_UNKNOWN, reference)
                : e);
    }

    /** The manifest if this repository holds it. */
    private Uni<Optional<Manifests.Stored>> local(String repository, Digest digest) {
        return manifests.get(repository, digest.toString()).map(Optional::of)
                .onFailure(ProxyManifests::unknown).recoverWithItem(Optional.empty());
    }

    private static boolean unknown(Throwable e) {
        return e instanceof RegistryException r && r.code() == ErrorCode.MANIFEST_UNKNOWN;
    }
}
