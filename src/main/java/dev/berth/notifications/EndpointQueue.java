package dev.berth.notifications;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.berth.outbound.BoundedBody;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * One endpoint's queue and delivery, as Distribution's (an in-memory queue in front of a retrying
 * sink): events are posted one per envelope, in order, one at a time; a failed post is retried at
 * once until {@code threshold} consecutive failures, then every {@code backoff}. Unlike Distribution's,
 * the queue is bounded: when it is full a new event is dropped, counted and logged, so a dead endpoint
 * costs bounded memory. Everything runs on the endpoint's own Vert.x context: nothing here blocks or
 * waits for the request that caused the event.
 */
final class EndpointQueue {
    private static final Logger LOG = Logger.getLogger(EndpointQueue.class);
    /** A full queue is reported at most this often, with the count dropped so far. */
    private static final long DROP_LOG_INTERVAL_NANOS = 10_000_000_000L;
    /** An endpoint's answer is read to its end and thrown away: more than this is not held in memory. */
    private static final long MAX_ANSWER_BYTES = 1024 * 1024;

    private final NotificationSettings.Endpoint endpoint;
    private final int capacity;
    private final HttpClient client;
    private final Context context;
    private final Vertx vertx;
    private final ObjectMapper json;
    private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();

    private final Deque<Event> queue = new ArrayDeque<>();
    private boolean sending;
    private volatile boolean closed;
    private long lastDropLog;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    /** Failures since the last success: the breaker opens at the endpoint's threshold. */
    private int consecutiveFailures;

    EndpointQueue(NotificationSettings.Endpoint endpoint, int capacity, HttpClient client, Vertx vertx, ObjectMapper json) {
        this.endpoint = endpoint;
        this.capacity = capacity;
        this.client = client;
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.json = json;
        endpoint.headers().forEach(headers::set);
        headers.set(HttpHeaders.CONTENT_TYPE, Event.Envelope.MEDIA_TYPE);
    }

    String name() {
        return endpoint.name();
    }

    /** Queues the event unless it is ignored or the queue is full; returns at once. */
    void offer(Event event) {
        String mediaType = event.target() == null ? null : event.target().mediaType();
        if (endpoint.ignores(mediaType, event.action())) {
            return;
        }
        synchronized (this) {
            if (queue.size() >= capacity) {
                drop();
                return;
            }
            queue.addLast(event);
            if (sending) {
                return;
            }
            sending = true;
        }
        context.runOnContext(v -> sendNext());
    }

    private void drop() {
        long total = dropped.incrementAndGet();
        long now = System.nanoTime();
        if (total == 1 || now - lastDropLog >= DROP_LOG_INTERVAL_NANOS) {
            lastDropLog = now;
            LOG.warnf("notifications endpoint %s: queue full (%d events), event dropped; %d dropped since start", endpoint.name(), capacity, total);
        }
    }

    private void sendNext() {
        Event next;
        synchronized (this) {
            if (closed) {
                sending = false;
                return;
            }
            next = queue.peekFirst();
            if (next == null) {
                sending = false;
                return;
            }
        }
        post(next).onComplete(result -> {
            if (result.succeeded()) {
                consecutiveFailures = 0;
                delivered.incrementAndGet();
                synchronized (this) {
                    queue.pollFirst();
                }
                sendNext();
                return;
            }
            failures.incrementAndGet();
            consecutiveFailures++;
            if (consecutiveFailures == endpoint.threshold()) {
                LOG.warnf("notifications endpoint %s: %d failures in a row, retrying every %s: %s", endpoint.name(), consecutiveFailures,
                        endpoint.backoff(), result.cause().getMessage());
            } else {
                LOG.debugf("notifications endpoint %s: %s", endpoint.name(), result.cause().getMessage());
            }
            if (consecutiveFailures >= endpoint.threshold()) {
                vertx.setTimer(Math.max(1, endpoint.backoff().toMillis()), t -> sendNext());
            } else {
                context.runOnContext(v -> sendNext());
            }
        });
    }

    /** One envelope of one event; 2xx and 3xx are delivered, as Distribution takes them. */
    private Future<Void> post(Event event) {
        Buffer body;
        try {
            body = Buffer.buffer(json.writeValueAsBytes(new Event.Envelope(List.of(event))));
        } catch (JsonProcessingException e) {
            return Future.failedFuture(e);
        }
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(endpoint.url().toString())
                .setHeaders(headers).setConnectTimeout(endpoint.timeout().toMillis()).setIdleTimeout(endpoint.timeout().toMillis());
        return client.request(options)
                .compose(request -> request.send(body))
                .compose(response -> BoundedBody.read(response, MAX_ANSWER_BYTES).compose(ignored -> response.statusCode() >= 200 && response.statusCode() < 400
                        ? Future.succeededFuture()
                        : Future.failedFuture("status " + response.statusCode() + " from " + endpoint.url())));
    }

    /** At shutdown: stops delivering; what is still queued is lost, as in Distribution (the queue is in memory). */
    void close() {
        closed = true;
        int left = pending();
        if (left > 0) {
            LOG.warnf("notifications endpoint %s: %d events not delivered at shutdown", endpoint.name(), left);
        }
    }

    long dropped() {
        return dropped.get();
    }

    long delivered() {
        return delivered.get();
    }

    long failures() {
        return failures.get();
    }

    synchronized int pending() {
        return queue.size();
    }
}
