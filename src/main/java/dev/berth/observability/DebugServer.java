package dev.berth.observability;

import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import dev.berth.config.ConfigError;
import dev.berth.config.DebugSettings;
import dev.berth.config.ListenAddress;
import dev.berth.config.OptionReader;
import dev.berth.health.HealthChecks;
import dev.berth.http.RequestHook;
import dev.berth.http.Routes.Stage;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Distribution's debug server, {@code http.debug.addr}: a second Vert.x listener with
 * {@code /debug/health} and, when enabled, the Prometheus metrics. A plain Vert.x server rather than
 * Quarkus' management interface, which is fixed at build time and would always open its port.
 * Nothing opens without {@code addr}; the main port never serves either.
 */
@ApplicationScoped
public class DebugServer implements RequestHook {
    private static final Logger LOG = Logger.getLogger(DebugServer.class);
    static final String HEALTH_PATH = "/debug/health";
    private static final String QUARKUS_METRICS = "/q/metrics";

    @Inject
    Config config;
    @Inject
    Vertx vertx;
    @Inject
    HealthChecks health;
    @Inject
    PrometheusMeterRegistry prometheus;

    private HttpServer server;

    void start(@Observes StartupEvent event) throws Exception {
        DebugSettings settings = DebugSettings.read(OptionReader.fromConfig(config, "http.debug"));
        if (settings.addr().isEmpty()) {
            return;
        }
        Router router = Router.router(vertx);
        router.get(HEALTH_PATH).handler(ctx -> {
            var failing = health.failing();
            ctx.response().setStatusCode(failing.isEmpty() ? 200 : 503).putHeader("Content-Type", "application/json; charset=utf-8")
                    .end(new JsonObject(Map.copyOf(failing)).encode());
        });
        if (settings.prometheusEnabled()) {
            // a scrape formats every series: off the event loop
            router.get(settings.prometheusPath()).blockingHandler(ctx -> ctx.response()
                    .putHeader("Content-Type", TextFormat.CONTENT_TYPE_004).end(prometheus.scrape()), false);
        }
        ListenAddress addr = settings.addr().get();
        try {
            server = vertx.createHttpServer().requestHandler(router).listen(addr.port(), addr.host())
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new ConfigError("http.debug.addr: cannot listen on " + addr.host() + ":" + addr.port() + ": " + rootMessage(e));
        }
        LOG.infof("debug server listening on %s:%d (%s%s)", addr.host(), server.actualPort(), HEALTH_PATH,
                settings.prometheusEnabled() ? ", " + settings.prometheusPath() : "");
    }

    @Override
    public Stage stage() {
        return Stage.HEALTH;
    }

    /** Quarkus serves the same registry at /q/metrics on the main port: metrics go to the debug server only. */
    @Override
    public boolean admit(RoutingContext ctx) {
        if (ctx.normalizedPath().startsWith(QUARKUS_METRICS)) {
            ctx.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8").end("404 page not found\n");
            return false;
        }
        return true;
    }

    /** The debug listener's port, empty when {@code http.debug.addr} is not set. */
    public OptionalInt port() {
        return server == null ? OptionalInt.empty() : OptionalInt.of(server.actualPort());
    }

    void stop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.close();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }
}
