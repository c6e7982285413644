package dev.berth.http;

import dev.berth.http.Routes.Stage;
import io.vertx.core.AsyncResult;
import io.vertx.ext.web.RoutingContext;

/**
 * A feature's part in every request (metrics, request id, access log, drain, events, health gate,
 * the HTTP pipeline), run by {@link RequestFront} in {@link Stage} order; what a hook does not
 * override does nothing.
 */
public interface RequestHook {
    /** Where the hook runs among the others. */
    Stage stage();

    /** Whether the hook has anything to do with this configuration; asked once, when the router is built. */
    default boolean active() {
        return true;
    }

    /** Once per request, before anything serves it (a request {@code http.prefix} reroutes is not begun again). */
    default void begin(RoutingContext ctx) {
    }

    /** Each time the request is routed (a reroute too); false when the hook answered or rerouted it itself. */
    default boolean admit(RoutingContext ctx) {
        return true;
    }

    /**
     * Once, when the request is over: {@code done} succeeded when the response ended, failed when the
     * connection closed first. {@code startNanos} is {@link System#nanoTime()} when it began.
     */
    default void end(RoutingContext ctx, long startNanos, AsyncResult<Void> done) {
    }

    /**
     * Whether the response was ended with its connection still open, for {@link #end}. A file handed to the
     * kernel ({@code sendFile}) counts as sent even when its client hangs up before the last byte: Vert.x
     * reports its end all the same.
     */
    static boolean answeredInFull(RoutingContext ctx, AsyncResult<Void> done) {
        return done.succeeded() && ctx.response().ended();
    }
}
