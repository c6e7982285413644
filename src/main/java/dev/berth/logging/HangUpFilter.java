package dev.berth.logging;

import java.util.List;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.berth.http.ClientHangUp;
import io.quarkus.runtime.StartupEvent;

/**
 * Libraries log a client that hangs up as an error. Vert.x logs an ERROR with a stack trace for every
 * 1 MiB file region it could not send, and for a connection failure no handler took: one per cancelled
 * download. The AWS SDK's cancel handler, when a reader goes away before its S3 request is set up, fails
 * with a NullPointerException (aws/aws-sdk-java-v2#3909; the channel is closed and released all the same),
 * which Netty logs as a WARN. Berth logs failed transfers itself (BlobRoutes), so these records are
 * dropped; the loggers' other records stay. Logger filters because Quarkus' log filters attach to
 * handlers, not to one category.
 */
@Singleton
public class HangUpFilter implements Filter {
    /** Where Vert.x and Netty log them. */
    static final List<String> LOGGERS = List.of("io.vertx.core.net.impl.ConnectionBase", "io.netty.channel.AbstractChannelHandlerContext");
    /** What the SDK's request futures fail with when cancelled (an internal class, named rather than imported). */
    private static final String SDK_CANCELLED = "software.amazon.awssdk.http.nio.netty.internal.FutureCancelledException";

    /** Held so that the configured loggers are not collected with their filter. */
    private List<Logger> loggers;

    void install(@Observes StartupEvent event) {
        loggers = LOGGERS.stream().map(Logger::getLogger).toList();
        loggers.forEach(l -> l.setFilter(this));
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        Throwable thrown = record.getThrown();
        return !ClientHangUp.is(thrown) && !(thrown != null && thrown.getClass().getName().equals(SDK_CANCELLED));
    }
}
