package dev.berth.notifications;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

/**
 * Hands the results of asynchronous lookups on in the order the lookups were started, whatever order
 * they finish in: events go out in the order their requests were answered, as Distribution's (which sends
 * them before its response), although what each event needs is read afterwards. A failed lookup is skipped.
 */
final class InStartOrder<T> {
    private static final Logger LOG = Logger.getLogger(InStartOrder.class);

    private final Consumer<T> next;
    private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);

    InStartOrder(Consumer<T> next) {
        this.next = next;
    }

    /** {@code lookup}'s result goes on once every lookup added before it has gone on or failed. */
    synchronized void add(CompletionStage<T> lookup, Consumer<Throwable> failed) {
        last = last.thenCompose(v -> lookup.handle((result, failure) -> {
            if (failure != null) {
                failed.accept(failure);
            } else {
                next.accept(result);
            }
            return (Void) null;
        })).exceptionally(e -> {
            LOG.warnf("not handed on: %s", e.getMessage());
            return null;
        });
    }
}
