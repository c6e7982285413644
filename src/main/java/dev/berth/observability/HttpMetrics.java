package dev.berth.observability;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.berth.http.RequestHook;
import dev.berth.http.Routes;
import dev.berth.http.Routes.Match;
import dev.berth.http.Routes.Route;
import dev.berth.http.Routes.Stage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * HTTP request metrics by route name (the route table's, never the raw path: cardinality stays
 * bounded), method and status class. Hand-written rather than Quarkus' HTTP binder, which tags by
 * URI and costs a Vert.x metrics SPI call per request; meters are built once per label set and kept.
 */
@ApplicationScoped
public class HttpMetrics implements RequestHook {
    static final String DURATION = "registry.http.request.duration";
    static final String IN_FLIGHT = "registry.http.in.flight.requests";
    static final String UPLOADS = "registry.uploads.in.progress";
    static final String RECEIVED = "registry.http.received.bytes";
    static final String SENT = "registry.http.sent.bytes";
    private static final HttpMethod[] METHODS = {HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
            HttpMethod.DELETE, HttpMethod.OPTIONS};
    private static final int OTHER_METHOD = METHODS.length;
    private static final Route[] ROUTES = Route.values();
    /** Paths outside the route table (/q/health, unknown paths): one handler name. */
    private static final int OTHER_ROUTE = ROUTES.length;
    private static final String[] STATUS_CLASSES = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
    /** A request whose connection closed before any answer: a client error, as Distribution and nginx count it, not the 200 preset. */
    private static final int CLIENT_CLOSED_REQUEST = 499;

    /** The Prometheus registry itself rather than Quarkus' composite: a record skips the composite's indirection. */
    @Inject
    PrometheusMeterRegistry registry;

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger uploads = new AtomicInteger();
    private final AtomicReferenceArray<Timer> durations = new AtomicReferenceArray<>(
            (OTHER_ROUTE + 1) * (OTHER_METHOD + 1) * STATUS_CLASSES.length);
    private final AtomicReferenceArray<Counter[]> bytes = new AtomicReferenceArray<>(OTHER_ROUTE + 1);

    @PostConstruct
    void gauges() {
        Gauge.builder(IN_FLIGHT, inFlight, AtomicInteger::get).description("HTTP requests being served").register(registry);
        Gauge.builder(UPLOADS, uploads, AtomicInteger::get).description("upload requests (POST, PATCH, PUT) transferring data")
                .register(registry);
    }

    /** First: every request is timed and counted, refused ones too. */
    @Override
    public Stage stage() {
        return Stage.METRICS;
    }

    @Override
    public void begin(RoutingContext ctx) {
        inFlight.incrementAndGet();
        if (isUpload(ctx)) {
            uploads.incrementAndGet();
        }
    }

    @Override
    public void end(RoutingContext ctx, long startNanos, AsyncResult<Void> done) {
        record(ctx, startNanos);
    }

    /** An upload request that carries data; a plain test rather than the route regex, true before and after {@code http.prefix} is stripped. */
    private static boolean isUpload(RoutingContext ctx) {
        HttpMethod m = ctx.request().method();
        return (m == HttpMethod.PATCH || m == HttpMethod.PUT || m == HttpMethod.POST) && ctx.normalizedPath().contains("/blobs/uploads");
    }

    private void record(RoutingContext ctx, long start) {
        long elapsed = System.nanoTime() - start;
        inFlight.decrementAndGet();
        if (isUpload(ctx)) {
            uploads.decrementAndGet();
        }
        int route = routeIndex(ctx);
        int method = methodIndex(ctx.request().method());
        // a download cut after its status went out counts with that status, as in Distribution
        int status = (ctx.response().headWritten() ? ctx.response().getStatusCode() : CLIENT_CLOSED_REQUEST) / 100;
        int statusClass = status >= 1 && status <= 5 ? status : 0;
        int key = (route * (OTHER_METHOD + 1) + method) * STATUS_CLASSES.length + statusClass;
        Timer duration = durations.get(key);
        if (duration == null) {
            // a racing request may build the same timer: the registry hands both the one meter
            duration = Timer.builder(DURATION).description("HTTP request latency, until the response's last byte")
                    .tags(Tags.of("handler", handlerName(route), "method", method == OTHER_METHOD ? "other" : METHODS[method].name(),
                            "status", STATUS_CLASSES[statusClass])).register(registry);
            durations.set(key, duration);
        }
        duration.record(elapsed, TimeUnit.NANOSECONDS);
        Counter[] io = bytes.get(route);
        if (io == null) {
            Tags handler = Tags.of("handler", handlerName(route));
            io = new Counter[] {Counter.builder(RECEIVED).baseUnit("bytes").description("request body bytes received").tags(handler)
                    .register(registry), Counter.builder(SENT).baseUnit("bytes").description("response body bytes sent").tags(handler)
                            .register(registry)};
            bytes.set(route, io);
        }
        long in = ctx.request().bytesRead();
        long out = ctx.response().bytesWritten();
        if (in > 0) {
            io[0].increment(in);
        }
        if (out > 0) {
            io[1].increment(out);
        }
    }

    /** The route that answered: as the Vert.x route names it (the hot path matches no regex twice), else the table's match of the path. */
    private static int routeIndex(RoutingContext ctx) {
        if (ctx.currentRoute() != null && ctx.currentRoute().getMetadata(Routes.ROUTE) instanceof Route r) {
            return r.ordinal();
        }
        String path = ctx.normalizedPath();
        Match m = Routes.match(path);
        if (m == null) {
            return OTHER_ROUTE;
        }
        HttpMethod method = ctx.request().method();
        if (!m.route().methods().contains(method)) {
            // the first match may be another route's (a blob's pattern takes .../blobs/uploads/): the one serving the method
            for (Route r : ROUTES) {
                if (r.methods().contains(method) && r.pattern().matcher(path).matches()) {
                    return r.ordinal();
                }
            }
        }
        return m.route().ordinal();
    }

    private static int methodIndex(HttpMethod method) {
        for (int i = 0; i < METHODS.length; i++) {
            if (METHODS[i] == method) {
                return i;
            }
        }
        return OTHER_METHOD;
    }

    static String handlerName(int route) {
        return route == OTHER_ROUTE ? "other" : ROUTES[route].name().toLowerCase(Locale.ROOT);
    }
}
