package dev.berth.logging;

import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.berth.http.ClientHangUp;
import io.quarkus.runtime.StartupEvent;

/**
 * Vert.x logs an ERROR with a stack trace for every 1 MiB file region it could not send, and for a
 * connection failure no handler took: on a client that cancels a pull, one per download. Berth logs a
 * failed transfer itself (BlobRoutes), so Vert.x's records of a client's hang-up are dropped; its other
 * records stay. A logger filter because Quarkus' log filters attach to handlers, not to one category.
 */
@Singleton
public class HangUpFilter implements Filter {
    /** Where Vert.x logs both (io.vertx.core.net.impl.ConnectionBase). */
    static final String VERTX_CONNECTIONS = "io.vertx.core.net.impl.ConnectionBase";

    /** Held so that the configured logger is not collected with its filter. */
    private Logger logger;

    void install(@Observes StartupEvent event) {
        logger = Logger.getLogger(VERTX_CONNECTIONS);
        logger.setFilter(this);
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        return !ClientHangUp.is(record.getThrown());
    }
}
