package dev.berth.notifications;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.berth.config.HttpConfig;
import dev.berth.http.RequestHook;
import dev.berth.http.Routes;
import dev.berth.http.Routes.Route;
import dev.berth.http.Routes.Stage;
import dev.berth.registry.Digest;
import dev.berth.registry.Manifest;
import dev.berth.registry.Manifests;
import dev.berth.registry.RepositoryBlobs;
import io.smallrye.mutiny.Uni;
import io.vertx.core.AsyncResult;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Turns answered requests into Distribution's events: manifest pull (GET), push (PUT) and delete; blob
 * pull (GET, served or redirected), push (upload completed, or monolithic POST), mount and delete; tag
 * delete. What the response does not say (sizes, a manifest's references) is read through the registry's
 * caches, asynchronously; the events still go out in the order their requests were answered, and only for
 * responses that were sent in full ({@link RequestHook#answeredInFull}).
 */
@ApplicationScoped
public class RequestEvents implements RequestHook {
    private static final Logger LOG = Logger.getLogger(RequestEvents.class);
    /** The media type Distribution gives every blob. */
    static final String BLOB_MEDIA_TYPE = "application/octet-stream";
    /** A lookup that takes longer gives no event. */
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(30);
    /**
     * How long an event may hold back the ones after it while its response goes out or its lookup runs: a
     * client that stops reading a large manifest would otherwise hold every later event until its connection
     * closes, and a lookup on a slow storage for up to LOOKUP_TIMEOUT. Longer, it goes out when ready, after them.
     */
    static final Duration HOLD_AT_MOST = Duration.ofSeconds(5);
    private static final String DIGEST_HEADER = "Docker-Content-Digest";
    /** The request's event, until its response has ended. */
    private static final String PENDING = RequestEvents.class.getName() + ".pending";

    /** The routes that make events, uploads first: a blob's pattern also matches {@code <name>/blobs/uploads/}. */
    private static final List<Route> EVENT_ROUTES = List.of(Route.BLOB_UPLOAD_START, Route.BLOB_UPLOAD, Route.MANIFEST, Route.BLOB);

    private final Notifier notifier;
    private final Manifests manifests;
    private final RepositoryBlobs blobs;
    private final HttpConfig http;
    private final Event.Source source;
    private final InStartOrder<Event> events;

    RequestEvents(Notifier notifier, Manifests manifests, RepositoryBlobs blobs, HttpConfig http,
            @ConfigProperty(name = "quarkus.http.port") int port) {
        this.notifier = notifier;
        this.events = new InStartOrder<>(notifier::publish, HOLD_AT_MOST);
        this.manifests = manifests;
        this.blobs = blobs;
        this.http = http;
        this.source = new Event.Source(hostname() + ":" + port, UUID.randomUUID().toString());
    }

    @Override
    public Stage stage() {
        return Stage.EVENTS;
    }

    /** Without an endpoint no event is built. */
    @Override
    public boolean active() {
        return notifier.enabled();
    }

    @Override
    public void begin(RoutingContext ctx) {
        ctx.addHeadersEndHandler(v -> answering(ctx));
    }

    @Override
    public void end(RoutingContext ctx, long startNanos, AsyncResult<Void> done) {
        CompletableFuture<Void> sent = ctx.get(PENDING);
        if (sent == null) {
            return;
        }
        if (RequestHook.answeredInFull(ctx, done)) {
            sent.complete(null);
        } else {
            sent.completeExceptionally(new IllegalStateException("the connection closed before the response ended"));
        }
    }

    /**
     * Builds the event as the response's headers go out. Its place in the order is taken then, before the client can
     * read the answer and send its next request, perhaps on another event loop, and kept for at most
     * {@link #HOLD_AT_MOST}; a blob's streamed body takes it once the body has gone out, so that a long download
     * does not hold back the events after it.
     */
    private void answering(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        HttpServerRequest request = ctx.request();
        HttpMethod method = request.method();
        int status = ctx.response().getStatusCode();
        Route route = EVENT_ROUTES.stream().filter(r -> r.methods().contains(method) && r.pattern().matcher(path).matches()).findFirst()
                .orElse(null);
        if (route == null || status >= 400) {
            return;
        }
        String repository = param(route, path, "name");
        Event.Request record = new Event.Request(ctx.get(Routes.REQUEST_ID), request.remoteAddress() == null ? null
                : request.remoteAddress().toString(), request.host(), method.name(), orEmpty(request.getHeader("User-Agent")));
        String base = base(request);
        Uni<Event.Target> target = switch (route) {
            case MANIFEST -> manifest(method, status, repository, param(route, path, "reference"), base);
            case BLOB -> blob(method, status, repository, param(route, path, "digest"), base);
            case BLOB_UPLOAD -> method == HttpMethod.PUT && status == 201
                    ? blobTarget(repository, ctx.response().headers().get(DIGEST_HEADER), null, base) : null;
            case BLOB_UPLOAD_START -> status == 201 ? blobTarget(repository, ctx.response().headers().get(DIGEST_HEADER),
                    request.getParam("mount") != null ? request.getParam("from") : null, base) : null;
            default -> null;
        };
        if (target == null) {
            return;
        }
        String action = action(route, method, request.getParam("mount") != null);
        String timestamp = Instant.now().toString();
        Event.Actor actor = new Event.Actor(ctx.get(Routes.ACTOR));
        CompletableFuture<Event> event = target.map(t -> new Event(UUID.randomUUID().toString(), timestamp, action, t, record, actor, source))
                .subscribeAsCompletionStage();
        if (!event.isDone()) {
            // a timer only for a lookup that missed the caches, not for every pull
            event.orTimeout(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        CompletableFuture<Void> sent = new CompletableFuture<>();
        ctx.put(PENDING, sent);
        Runnable takePlace = () -> events.add(sent.thenCompose(v -> event),
                failure -> LOG.debugf("no %s event for %s: %s", action, path, failure.getMessage()));
        if (route == Route.BLOB && method == HttpMethod.GET && status != 307) {
            ctx.addBodyEndHandler(v -> takePlace.run());
        } else {
            takePlace.run();
        }
    }

    private static String action(Route route, HttpMethod method, boolean mount) {
        if (method == HttpMethod.DELETE) {
            return Event.DELETE;
        }
        if (route == Route.BLOB_UPLOAD_START && mount) {
            return Event.MOUNT;
        }
        return method == HttpMethod.GET ? Event.PULL : Event.PUSH;
    }

    private Uni<Event.Target> manifest(HttpMethod method, int status, String repository, String reference, String base) {
        String tag = Digest.looksLikeDigest(reference) ? null : reference;
        if (method == HttpMethod.DELETE && status == 202) {
            // a tag deleted, or a manifest revision: Distribution names only what was deleted
            return Uni.createFrom().item(new Event.Target(null, null, tag == null ? reference : null, null, repository, null, null, tag, null));
        }
        if (!(method == HttpMethod.GET && status == 200) && !(method == HttpMethod.PUT && status == 201)) {
            return null;
        }
        return manifests.get(repository, reference).map(stored -> {
            Manifest m = stored.manifest();
            long size = m.content().length;
            List<Event.Descriptor> references = notifier.includeReferences()
                    ? m.references().stream().map(r -> new Event.Descriptor(r.mediaType(), r.size(), r.digest().toString())).toList()
                    : null;
            String digest = stored.digest().toString();
            return new Event.Target(m.mediaType(), size, digest, size, repository, null,
                    base + "/v2/" + repository + "/manifests/" + digest, tag, references);
        });
    }

    private Uni<Event.Target> blob(HttpMethod method, int status, String repository, String digest, String base) {
        if (method == HttpMethod.DELETE && status == 202) {
            return Uni.createFrom().item(new Event.Target(null, null, digest, null, repository, null, null, null, null));
        }
        // served (200, 206) or redirected (307); a HEAD is no pull, nor a 304
        if (method != HttpMethod.GET || !(status == 200 || status == 206 || status == 307)) {
            return null;
        }
        return blobTarget(repository, digest, null, base);
    }

    private Uni<Event.Target> blobTarget(String repository, String digest, String fromRepository, String base) {
        if (digest == null) {
            return null;
        }
        return blobs.size(repository, Digest.parse(digest)).map(size -> new Event.Target(BLOB_MEDIA_TYPE, size, digest, size, repository,
                fromRepository, base + "/v2/" + repository + "/blobs/" + digest, null, null));
    }

    /** What Location headers start with: {@code http.host}, else the request's scheme and host (prefix included). */
    private String base(HttpServerRequest request) {
        String prefix = http.prefix().map(p -> p.startsWith("/") ? p : "/" + p).map(p -> p.endsWith("/") ? p.substring(0, p.length() - 1) : p)
                .orElse("");
        return http.host().filter(h -> !h.isBlank()).map(h -> h.endsWith("/") ? h.substring(0, h.length() - 1) : h)
                .orElse(request.scheme() + "://" + request.host()) + prefix;
    }

    private static String param(Route route, String path, String name) {
        Matcher m = route.pattern().matcher(path);
        return m.matches() ? Routes.decode(m.group(route.group(name))) : null;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
