package dev.berth.proxy;

import java.net.URI;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import dev.berth.config.OptionReader;
import dev.berth.outbound.BoundedBody;
import dev.berth.registry.Digest;
import dev.berth.registry.MediaTypes;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * The upstream registry of a mirror ({@code proxy.remoteurl}), over Vert.x's HTTP client: requests
 * with the authorization upstream asks for ({@link UpstreamAuth}), answers whose bodies are paused
 * until the caller reads them, and blob redirects (to a CDN or S3) followed without credentials.
 */
@ApplicationScoped
public class Upstream {
    private static final Logger LOG = Logger.getLogger(Upstream.class);
    static final String MANIFEST_TYPES = String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_LIST,
            MediaTypes.DOCKER_MANIFEST);
    /** As {@code ManifestResource}: the OCI spec asks registries to take manifests of at least 4 MiB. */
    static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
    private static final int MAX_REDIRECTS = 5;
    private static final long CONNECT_MILLIS = 10_000;
    /** A stalled upstream fails the request after this long without a byte, freeing the fill. */
    private static final long IDLE_MILLIS = 60_000;
    /**
     * Bytes per body chunk, as the server's ({@code quarkus.http.limits.max-chunk-size}): Vert.x's default, 8 KiB,
     * cuts each network read into up to eight buffers, each a copy and an item through the fill.
     */
    static final int MAX_CHUNK_BYTES = 64 * 1024;

    private final ProxySettings settings;
    private final UpstreamAuth auth;
    private final HttpClient client;

    /** A small answer read whole: a manifest, or the head of one. */
    public record Reply(int status, String contentType, String digest, byte[] body) {
    }

    @Inject
    Upstream(Config config, Vertx vertx) {
        OptionReader proxy = OptionReader.fromConfig(config, "proxy");
        this.settings = proxy.keys().isEmpty() ? null : ProxySettings.read(proxy);
        this.auth = settings == null ? null : new UpstreamAuth(settings);
        this.client = settings == null ? null : vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setMaxPoolSize(64)
                .setMaxChunkSize(MAX_CHUNK_BYTES).setConnectTimeout((int) CONNECT_MILLIS));
        if (client != null) {
            // a reset upstream connection fails the request using it; unhandled, Vert.x would log it as an error too
            client.connectionHandler(connection -> connection.exceptionHandler(e -> LOG.debugf("proxy: upstream connection: %s", e)));
        }
        if (settings != null) {
            LOG.infof("proxy: mirroring %s (tags fresh for %s)", settings.base(), settings.expires() ? settings.ttl() : "ever");
        }
    }

    @PreDestroy
    void close() {
        if (client != null) {
            client.close();
        }
    }

    /** Whether Berth is a mirror ({@code proxy} configured). */
    public boolean enabled() {
        return settings != null;
    }

    public ProxySettings settings() {
        return settings;
    }

    /** A manifest's head ({@code HEAD}) or whole answer ({@code GET}); any status, 401 after authenticating. */
    Uni<Reply> manifest(HttpMethod method, String repository, String reference) {
        String url = settings.base() + "/v2/" + repository + "/manifests/" + reference;
        return send(method, url, UpstreamAuth.scope(repository), false).chain(resp -> {
            String type = resp.getHeader("Content-Type");
            String digest = resp.getHeader("Docker-Content-Digest");
            if (method == HttpMethod.HEAD || resp.statusCode() != 200) {
                resp.resume();
                return Uni.createFrom().item(new Reply(resp.statusCode(), type, digest, new byte[0]));
            }
            return small(resp, MAX_MANIFEST_BYTES).map(body -> new Reply(200, type, digest, body.getBytes()));
        });
    }

    /** A blob's size from upstream ({@code HEAD}); UpstreamException when it has none. */
    Uni<Long> blobSize(String repository, Digest digest) {
        return blob(HttpMethod.HEAD, repository, digest).map(resp -> {
            resp.resume();
            String length = resp.getHeader("Content-Length");
            return length == null ? -1L : Long.parseLong(length.trim());
        });
    }

    /**
     * A blob's {@code 200} answer with its body paused, following redirects; the caller reads or
     * resumes it. Any other status fails with {@link UpstreamException}.
     */
    Uni<HttpClientResponse> blob(HttpMethod method, String repository, Digest digest) {
        String url = settings.base() + "/v2/" + repository + "/blobs/" + digest;
        return send(method, url, UpstreamAuth.scope(repository), false).chain(resp -> followed(method, url, resp, 0));
    }

    private Uni<HttpClientResponse> followed(HttpMethod method, String url, HttpClientResponse resp, int hops) {
        int status = resp.statusCode();
        if (status == 200) {
            return Uni.createFrom().item(resp);
        }
        resp.resume();
        String location = resp.getHeader("Location");
        if (status >= 300 && status < 400 && location != null && hops < MAX_REDIRECTS) {
            // a CDN or presigned URL: upstream's credentials stay with upstream
            String next = URI.create(url).resolve(location).toString();
            return request(method, next, Optional.empty()).chain(r -> followed(method, next, r, hops + 1));
        }
        return Uni.createFrom().failure(new UpstreamException(status, method + " " + url + " answered " + status));
    }

    /** Sends with what {@code scope} needs; on a 401 challenge, authenticates once and sends again. */
    private Uni<HttpClientResponse> send(HttpMethod method, String url, String scope, boolean retried) {
        return request(method, url, auth.authorization(scope)).chain(resp -> {
            if (resp.statusCode() != 401) {
                return Uni.createFrom().item(resp);
            }
            resp.resume();
            String challenge = resp.getHeader("WWW-Authenticate");
            if (!retried) {
                Optional<UpstreamAuth.Challenge> bearer = UpstreamAuth.bearer(challenge);
                if (bearer.isPresent()) {
                    auth.forget(scope);
                    return token(bearer.get(), scope).chain(() -> send(method, url, scope, true));
                }
                if (challenge != null && challenge.regionMatches(true, 0, "Basic", 0, 5) && auth.basicChallenged()) {
                    return send(method, url, scope, true);
                }
            }
            return Uni.createFrom().failure(new UpstreamException(401, url + " refused the mirror's credentials"));
        });
    }

    /** Gets a token from the challenge's realm (with Basic credentials when configured) and keeps it. */
    private Uni<Void> token(UpstreamAuth.Challenge challenge, String scope) {
        String url = UpstreamAuth.tokenUrl(challenge, scope);
        return request(HttpMethod.GET, url, auth.basic()).chain(resp -> {
            if (resp.statusCode() != 200) {
                resp.resume();
                return Uni.createFrom().failure(new UpstreamException(401, "token service " + challenge.realm() + " answered " + resp.statusCode()));
            }
            return small(resp, 1024 * 1024).invoke(body -> {
                JsonObject json = body.toJsonObject();
                String token = json.getString("token", json.getString("access_token"));
                if (token == null) {
                    throw new UpstreamException(401, "token service " + challenge.realm() + " sent no token");
                }
                auth.keep(scope, token, json.getLong("expires_in", 0L));
            }).replaceWithVoid();
        });
    }

    /** One request; the answer's body is paused before anything can read it. */
    private Uni<HttpClientResponse> request(HttpMethod method, String url, Optional<String> authorization) {
        RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(url).setIdleTimeout(IDLE_MILLIS)
                .setConnectTimeout(CONNECT_MILLIS);
        if (method != HttpMethod.GET || url.contains("/manifests/")) {
            options.putHeader("Accept", MANIFEST_TYPES);
        }
        authorization.ifPresent(a -> options.putHeader("Authorization", a));
        // paused in send's own callback, which runs on the event loop as the answer's head comes in: attached later (from
        // another thread), the body could already have gone by unread
        return uni(() -> client.request(options).compose(req -> req.send().map(resp -> {
            resp.pause();
            return resp;
        }))).onFailure(e -> !(e instanceof UpstreamException))
                .transform(e -> new UpstreamException(0, method + " " + url + ": " + e));
    }

    /** The whole body, refused past {@code limit} bytes. */
    private static Uni<Buffer> small(HttpClientResponse resp, int limit) {
        return uni(() -> BoundedBody.read(resp, limit)).onFailure(BoundedBody.TooLargeException.class)
                .transform(e -> new UpstreamException(502, "upstream " + e.getMessage()));
    }

    /** A Vert.x future as a Uni, created on subscription; its callbacks run on the Vert.x context. */
    static <T> Uni<T> uni(Supplier<Future<T>> future) {
        return Uni.createFrom().emitter(emitter -> future.get().onComplete(ar -> {
            if (ar.succeeded()) {
                emitter.complete(ar.result());
            } else {
                emitter.fail(ar.cause());
            }
        }));
    }
}
