package dev.berth.storage.s3;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

import io.smallrye.mutiny.helpers.Subscriptions;
import mutiny.zero.flow.adapters.AdaptersToFlow;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The body of one GetObject, requested when subscribed, as a back-pressured publisher whose
 * cancellation always reaches the SDK and releases the connection, whenever it comes.
 * Hand-written because a cancellation while the response was on its way got lost, both through
 * the future of the SDK's toPublisher() and in Mutiny's Uni-to-Multi operators, and the unread
 * body kept its connection until the read timeout.
 */
final class ObjectBody implements Flow.Publisher<ByteBuffer> {
    private final Function<AsyncResponseTransformer<GetObjectResponse, Void>, CompletableFuture<Void>> call;
    private final Consumer<GetObjectResponse> onResponse;

    /** {@code call} issues the GetObject with the transformer it is given; {@code onResponse} sees its headers first. */
    ObjectBody(Function<AsyncResponseTransformer<GetObjectResponse, Void>, CompletableFuture<Void>> call,
            Consumer<GetObjectResponse> onResponse) {
        this.call = call;
        this.onResponse = onResponse;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> downstream) {
        Relay relay = new Relay(downstream, onResponse);
        downstream.onSubscribe(relay);
        if (relay.cancelled()) {
            return;
        }
        CompletableFuture<Void> response;
        try {
            response = call.apply(relay);
        } catch (RuntimeException e) {
            relay.failBeforeBody(e);
            return;
        }
        relay.calling(response);
        // failures before the body (after the SDK's retries); the body reports its own
        response.whenComplete((ignored, failure) -> {
            if (failure != null) {
                relay.failBeforeBody(failure);
            }
        });
    }

    /**
     * The downstream's subscription, the SDK's response transformer and the body's subscriber:
     * demand waits for the body, and a body that arrives after cancel() is cancelled at once.
     */
    private static final class Relay implements Flow.Subscription, Flow.Subscriber<ByteBuffer>,
            AsyncResponseTransformer<GetObjectResponse, Void> {
        private final Flow.Subscriber<? super ByteBuffer> downstream;
        private final Consumer<GetObjectResponse> onResponse;
        private final AtomicReference<Flow.Subscription> body = new AtomicReference<>();
        private final AtomicLong requested = new AtomicLong();
        private final AtomicReference<CompletableFuture<Void>> call = new AtomicReference<>();
        private final AtomicBoolean terminated = new AtomicBoolean();
        private volatile CompletableFuture<Void> attempt;
        private volatile boolean streaming;

        Relay(Flow.Subscriber<? super ByteBuffer> downstream, Consumer<GetObjectResponse> onResponse) {
            this.downstream = downstream;
            this.onResponse = onResponse;
        }

        private boolean cancelled() {
            return body.get() == Subscriptions.CANCELLED;
        }

        void calling(CompletableFuture<Void> future) {
            if (!call.compareAndSet(null, future) || cancelled()) {
                future.cancel(false);
            }
        }

        void failBeforeBody(Throwable failure) {
            if (body.get() == null) {
                fail(failure);
            }
        }

        private void fail(Throwable failure) {
            if (!cancelled() && terminated.compareAndSet(false, true)) {
                downstream.onError(failure);
            }
        }

        // --- the SDK's side: one prepare() per attempt, onStream() once the response is good

        @Override
        public CompletableFuture<Void> prepare() {
            attempt = new CompletableFuture<>();
            return attempt;
        }

        @Override
        public void onResponse(GetObjectResponse response) {
            onResponse.accept(response);
        }

        @Override
        public void onStream(SdkPublisher<ByteBuffer> publisher) {
            streaming = true;
            AdaptersToFlow.publisher(publisher).subscribe(this);
            attempt.complete(null);
        }

        @Override
        public void exceptionOccurred(Throwable failure) {
            // a connection lost mid-body is reported here only, not to the body's subscriber
            if (streaming) {
                fail(failure);
            }
            attempt.completeExceptionally(failure);
        }

        // --- the downstream's subscription

        @Override
        public void request(long n) {
            Subscriptions.requestIfNotNullOrAccumulate(body, requested, n);
        }

        @Override
        public void cancel() {
            Subscriptions.cancel(body);
            // still waiting for a connection or the response: the SDK gives up the call
            CompletableFuture<Void> future = call.getAndSet(CompletableFuture.completedFuture(null));
            if (future != null) {
                future.cancel(false);
            }
        }

        // --- the body's subscriber

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            Subscriptions.setIfEmptyAndRequest(body, requested, subscription);
        }

        @Override
        public void onNext(ByteBuffer item) {
            downstream.onNext(item);
        }

        @Override
        public void onError(Throwable failure) {
            fail(failure);
        }

        @Override
        public void onComplete() {
            if (terminated.compareAndSet(false, true)) {
                downstream.onComplete();
            }
        }
    }
}
