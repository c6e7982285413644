package dev.berth.storage.middleware.cloudfront;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

import dev.berth.outbound.BoundedBody;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Whether a client is inside AWS, from ip-ranges.json fetched at start and every
 * {@code updatefrequency}. A failed fetch is retried soon (1 min, doubling, capped) rather than
 * after the full interval as in Distribution; until the first success nobody counts as inside AWS.
 */
public final class AwsIpFilter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AwsIpFilter.class);
    /** For the whole fetch, the body included. */
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration MAX_RETRY = Duration.ofMinutes(15);
    /** AWS's document is about 2 MB: a URL that answers far more (a wrong file, a hostile server) is not held in memory. */
    private static final long MAX_BODY_BYTES = 64L * 1024 * 1024;

    private final URI url;
    private final Set<String> regions;
    private final Duration updateFrequency;
    private final Duration firstRetry;
    private final HttpClient client;
    private final Vertx vertx;
    private final Duration fetchTimeout;
    private final long maxBodyBytes;
    private final CompletableFuture<Void> firstLoad = new CompletableFuture<>();
    private volatile CidrSet ranges = CidrSet.EMPTY;
    private volatile boolean closed;
    private volatile long next = -1;
    private int failures;

    public AwsIpFilter(URI url, Set<String> regions, Duration updateFrequency, Duration firstRetry,
            HttpClient client, Vertx vertx) {
        this(url, regions, updateFrequency, firstRetry, client, vertx, FETCH_TIMEOUT, MAX_BODY_BYTES);
    }

    AwsIpFilter(URI url, Set<String> regions, Duration updateFrequency, Duration firstRetry, HttpClient client, Vertx vertx,
            Duration fetchTimeout, long maxBodyBytes) {
        this.fetchTimeout = fetchTimeout;
        this.maxBodyBytes = maxBodyBytes;
        this.url = url;
        this.regions = Set.copyOf(regions);
        this.updateFrequency = updateFrequency;
        this.firstRetry = firstRetry;
        this.client = client;
        this.vertx = vertx;
    }

    public AwsIpFilter start() {
        fetch();
        return this;
    }

    /** True when the address is inside the loaded AWS ranges. */
    public boolean contains(String clientAddress) {
        return ranges.contains(clientAddress);
    }

    /** Completes when ranges were first loaded (for tests and health checks). */
    public CompletableFuture<Void> firstLoad() {
        return firstLoad;
    }

    private void fetch() {
        if (closed) {
            return;
        }
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url.toString())
                .setFollowRedirects(true).setIdleTimeout(fetchTimeout.toMillis());
        client.request(request)
                .compose(this::bodyWithinTimeout)
                // the document is over a megabyte of JSON: parsed on a worker, not on the event loop
                .compose(body -> vertx.executeBlocking(() -> AwsIpRanges.parse(body.getBytes(), regions), false))
                .onComplete(loaded -> {
                    if (closed) {
                        return; // shutting down: the client was closed under this fetch, nothing to log or retry
                    }
                    if (loaded.succeeded()) {
                        ranges = loaded.result();
                        failures = 0;
                        LOG.infof("middleware cloudfront: loaded %d AWS ip ranges from %s", loaded.result().size(), url);
                        firstLoad.complete(null);
                        schedule(updateFrequency);
                    } else {
                        failures++;
                        Duration retry = retryDelay(failures);
                        Throwable e = loaded.cause();
                        LOG.errorf("middleware cloudfront: fetching %s failed (%s); retrying in %s", url,
                                e.getMessage() == null ? e.toString() : e.getMessage(), retry);
                        schedule(retry);
                    }
                });
    }

    /**
     * The 200 answer's body, failed after {@code fetchTimeout} in all: an idle timeout alone lets a server that
     * trickles its body hold the fetch, and with it every later refresh, since the next one is planned when it ends.
     */
    private Future<Buffer> bodyWithinTimeout(HttpClientRequest request) {
        Promise<Buffer> result = Promise.promise();
        AtomicReference<HttpClientRequest> current = new AtomicReference<>(request);
        long timer = vertx.setTimer(fetchTimeout.toMillis(), id -> {
            if (result.tryFail(new TimeoutException("no complete answer within " + fetchTimeout.toMillis() + " ms"))) {
                current.get().reset(); // closes the connection the server holds
            }
        });
        request.send()
                .compose(response -> {
                    current.set(response.request()); // the last request, when redirects were followed
                    // the body is read either way, so the connection goes back to the pool
                    return BoundedBody.read(response, maxBodyBytes).compose(body -> response.statusCode() == 200 ? Future.succeededFuture(body)
                            : Future.<Buffer>failedFuture(new IOException("HTTP " + response.statusCode())));
                })
                .onComplete(done -> {
                    vertx.cancelTimer(timer);
                    if (done.succeeded()) {
                        result.tryComplete(done.result());
                    } else {
                        result.tryFail(done.cause());
                    }
                });
        return result.future();
    }

    /** firstRetry, doubled per further failure, never beyond updatefrequency or 15 minutes. */
    Duration retryDelay(int failureCount) {
        Duration cap = updateFrequency.compareTo(MAX_RETRY) < 0 ? updateFrequency : MAX_RETRY;
        Duration delay = firstRetry.multipliedBy(1L << Math.min(failureCount - 1, 20));
        return delay.compareTo(cap) > 0 ? cap : delay;
    }

    /** A Vert.x timer; the client resolves and connects without blocking, so the fetch starts on the event loop. */
    private void schedule(Duration delay) {
        if (!closed) {
            next = vertx.setTimer(Math.max(1, delay.toMillis()), id -> fetch());
        }
    }

    @Override
    public void close() {
        closed = true;
        long pending = next;
        if (pending >= 0) {
            vertx.cancelTimer(pending);
        }
    }
}
