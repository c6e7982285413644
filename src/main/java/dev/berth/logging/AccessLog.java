package dev.berth.logging;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import dev.berth.drain.InFlightRequests;
import dev.berth.http.RequestHook;
import dev.berth.http.Routes;
import dev.berth.http.Routes.Stage;
import io.vertx.core.AsyncResult;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * One line per request (unless {@code log.accesslog.disabled}), in the combined log format Distribution
 * writes, followed by what it lacks: duration, request id, repository and digest. With the JSON
 * formatter the same values are also fields (MDC), under the keys Distribution's request logs use.
 * Hand-written because Quarkus' access log can name neither the repository nor a request cut by the drain.
 */
@ApplicationScoped
public class AccessLog implements RequestHook {
    private static final Logger LOG = Logger.getLogger("dev.berth.access");
    private static final DateTimeFormatter CLF_TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);
    /** The URI the client sent: {@code http.prefix} reroutes the request to another. */
    private static final String URI = "berth.access-uri";
    private static final String DIGEST_HEADER = "Docker-Content-Digest";

    private final boolean enabled;
    private final InFlightRequests inFlight;

    AccessLog(@ConfigProperty(name = "berth.access-log.enabled", defaultValue = "true") boolean enabled, InFlightRequests inFlight) {
        this.enabled = enabled;
        this.inFlight = inFlight;
    }

    @Override
    public Stage stage() {
        return Stage.REQUEST;
    }

    @Override
    public boolean active() {
        return enabled;
    }

    @Override
    public void begin(RoutingContext ctx) {
        ctx.put(URI, ctx.request().uri());
    }

    @Override
    public void end(RoutingContext ctx, long startNanos, AsyncResult<Void> done) {
        log(ctx, ctx.get(URI), Duration.ofNanos(System.nanoTime() - startNanos), RequestHook.answeredInFull(ctx, done));
    }

    private void log(RoutingContext ctx, String uri, Duration took, boolean inFull) {
        HttpServerRequest request = ctx.request();
        HttpServerResponse response = ctx.response();
        // a response never finished was cut by the end of the drain, or its client went away
        String status = inFull ? Integer.toString(response.getStatusCode()) : inFlight.cut(ctx) ? "cut" : "aborted";
        Routes.Match match = Routes.match(ctx.normalizedPath());
        String repository = match == null || match.repository() == null ? "-" : match.repository();
        String digest = orDash(response.headers().get(DIGEST_HEADER));
        String remote = request.remoteAddress() == null ? "-" : request.remoteAddress().host();
        String id = orDash(ctx.get(Routes.REQUEST_ID));
        Map<String, Object> fields = Map.of("http.request.method", request.method().name(), "http.request.uri", uri,
                "http.request.remoteaddr", remote, "http.request.useragent", orDash(request.getHeader("User-Agent")),
                "http.request.referer", orDash(request.getHeader("Referer")), "http.request.id", id,
                "http.response.status", status, "http.response.written", response.bytesWritten(),
                "http.response.duration", took.toNanos() / 1e9, "vars.name", repository);
        fields.forEach(MDC::put);
        MDC.put("vars.digest", digest);
        try {
            LOG.infof("%s - - [%s] \"%s %s %s\" %s %d \"%s\" \"%s\" duration=%.3fs request_id=%s repository=%s digest=%s", remote,
                    CLF_TIME.format(ZonedDateTime.now()), request.method().name(), uri, version(request), status,
                    response.bytesWritten(), orDash(request.getHeader("Referer")), orDash(request.getHeader("User-Agent")),
                    took.toNanos() / 1e9, id, repository, digest);
        } finally {
            fields.keySet().forEach(MDC::remove);
            MDC.remove("vars.digest");
        }
    }

    private static String version(HttpServerRequest request) {
        return switch (request.version()) {
            case HTTP_1_0 -> "HTTP/1.0";
            case HTTP_1_1 -> "HTTP/1.1";
            case HTTP_2 -> "HTTP/2.0";
        };
    }

    private static String orDash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }
}
