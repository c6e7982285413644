package dev.berth.http;

import java.util.concurrent.Executor;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Continues on one Vert.x context. Storage completes on its own threads (the S3 client's), while a
 * request and its response belong to the request's context: use with {@code emitOn} or
 * {@code runSubscriptionOn}. Already on the context, it runs at once, so a cache hit costs no hop.
 */
public final class OnContext {
    private OnContext() {
    }

    public static Executor of(Context context) {
        return command -> {
            if (Vertx.currentContext() == context) {
                command.run();
            } else {
                context.runOnContext(v -> command.run());
            }
        };
    }
}
