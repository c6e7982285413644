package dev.berth.drain;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.berth.http.ErrorReply;
import dev.berth.http.RequestHook;
import dev.berth.http.Routes.Stage;
import dev.berth.registry.ErrorCode;
import io.netty.channel.Channel;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code http.draintimeout}: Quarkus' graceful shutdown ({@code quarkus.shutdown.timeout}) waits for
 * in-flight requests, and its readiness check reports down from SIGTERM on
 * ({@code quarkus.shutdown.delay-enabled}). This adds what Distribution does besides: the main port
 * stops accepting connections, a new request on a connection already open is refused with 503
 * (Quarkus would still serve it), and a request still running when the drain ends is logged as cut
 * (Quarkus' access log would show it as answered).
 */
@ApplicationScoped
public class InFlightRequests implements RequestHook {
    private static final Logger LOG = Logger.getLogger(InFlightRequests.class);
    /** Quarkus' own endpoints (health probes) keep answering while draining. */
    private static final String QUARKUS_PATHS = "/q/";

    private final Duration drainTimeout;
    /** The main port's listening sockets, as its requests' connections name them. */
    private final Set<Channel> listeners = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;
    private volatile long deadline;

    InFlightRequests(@ConfigProperty(name = "quarkus.shutdown.timeout") Optional<Duration> drainTimeout) {
        this.drainTimeout = drainTimeout.orElse(Duration.ZERO);
    }

    @Override
    public Stage stage() {
        return Stage.DRAIN;
    }

    /** Without http.draintimeout the process exits at SIGTERM: no window in which to refuse requests. */
    @Override
    public boolean active() {
        return !drainTimeout.isZero();
    }

    @Override
    public void begin(RoutingContext ctx) {
        HttpConnection connection = ctx.request().connection();
        // Vert.x 4 has no public way to stop a server accepting while its connections stay open (close()
        // ends them too): the connection's Netty channel names its listening socket, which is closed alone
        if (connection instanceof ConnectionBase base && base.channel().parent() != null) {
            listeners.add(base.channel().parent());
        }
    }

    @Override
    public boolean admit(RoutingContext ctx) {
        if (draining && !ctx.normalizedPath().startsWith(QUARKUS_PATHS)) {
            ctx.response().headers().set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            ErrorReply.of(503, ErrorCode.UNAVAILABLE, "registry is shutting down", null).send(ctx.response());
            return false;
        }
        return true;
    }

    /** SIGTERM: fired at once, before Quarkus waits for the requests. */
    void drain(@Observes ShutdownDelayInitiatedEvent event) {
        deadline = System.nanoTime() + drainTimeout.toNanos();
        draining = true;
        listeners.forEach(Channel::close);
        LOG.infof("draining: finishing the requests in flight for up to %ss (http.draintimeout), refusing new ones%s",
                drainTimeout.toMillis() / 1000.0, listeners.isEmpty() ? "" : ", no longer accepting connections");
    }

    /**
     * Whether a request that ended without its response was cut by the end of the drain (rather than
     * abandoned by its client); logs it once as cut.
     */
    public boolean cut(RoutingContext ctx) {
        if (!draining || System.nanoTime() - deadline < 0) {
            return false;
        }
        LOG.warnf("request cut at the end of the drain (http.draintimeout %ss): %s %s after %d bytes received",
                drainTimeout.toMillis() / 1000.0, ctx.request().method(), ctx.request().path(), ctx.request().bytesRead());
        return true;
    }
}
