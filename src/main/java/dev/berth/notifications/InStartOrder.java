package dev.berth.notifications;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

/**
 * Hands the results of asynchronous lookups on in the order the lookups were started, whatever order
 * they finish in: events go out in the order their requests were answered, as Distribution's (which sends
 * them before its response), although what each event needs is read afterwards. A failed lookup is skipped.
 * A lookup may hold back the ones after it for a limited time only: one not done by then goes on when it
 * is, after them.
 */
final class InStartOrder<T> {
    private static final Logger LOG = Logger.getLogger(InStartOrder.class);

    private final Consumer<T> next;
    private final Duration holdAtMost;
    private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);

    /** Results to {@code next}; a lookup not done {@code holdAtMost} after it was added gives up its place. */
    InStartOrder(Consumer<T> next, Duration holdAtMost) {
        this.next = next;
        this.holdAtMost = holdAtMost;
    }

    /**
     * {@code lookup}'s result goes on once every lookup added before it has gone on, failed or given up its place;
     * not done within the hold, it gives up its own: the ones after it go on, and it goes on when it is done.
     */
    synchronized void add(CompletionStage<T> lookup, Consumer<Throwable> failed) {
        CompletableFuture<T> done = lookup.toCompletableFuture();
        BiFunction<T, Throwable, Void> handOn = (result, failure) -> {
            if (failure != null) {
                failed.accept(failure);
            } else {
                next.accept(result);
            }
            return null;
        };
        // true once done, false when the hold has passed first (a timer only while not done)
        CompletableFuture<Boolean> inTime = done.handle((result, failure) -> true)
                .completeOnTimeout(false, holdAtMost.toMillis(), TimeUnit.MILLISECONDS);
        last = last.thenCompose(v -> inTime).thenApply(onTime -> {
            if (onTime) {
                done.handle(handOn).join(); // done already: handed on in this place
            } else {
                done.handle(handOn).exceptionally(this::notHandedOn);
            }
            return (Void) null;
        }).exceptionally(this::notHandedOn);
    }

    private Void notHandedOn(Throwable e) {
        LOG.warnf("not handed on: %s", e.getMessage());
        return null;
    }
}
