package dev.berth.http;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.regex.Pattern;

import io.vertx.core.http.HttpClosedException;

/**
 * Whether a failure to write a response is the client hanging up (the connection reset, closed, or
 * its pipe broken): no fault of the registry's, nothing to warn about. The JDK reports these as plain
 * {@link IOException}s named by their message, so the message is matched as Netty itself does.
 */
public final class ClientHangUp {
    /** Netty's SslHandler tells ignorable connection errors apart with this message test. */
    private static final Pattern MESSAGE = Pattern.compile("(?i).*(?:connection.*(?:reset|closed|abort|broken)|broken.*pipe).*");

    private ClientHangUp() {
    }

    /** For failures whose only peer is the client: a storage connection's reset would match too. */
    public static boolean is(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof ClosedChannelException || c instanceof HttpClosedException) {
                return true;
            }
            if (c instanceof IOException && c.getMessage() != null && MESSAGE.matcher(c.getMessage()).matches()) {
                return true;
            }
        }
        return false;
    }
}
