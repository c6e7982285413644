package dev.berth.storage.s3;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;

import dev.berth.storage.StorageException;
import io.smallrye.mutiny.helpers.Subscriptions;
import io.vertx.core.buffer.Buffer;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The bytes {@code [start, end]} of one object (or up to its end, which the first range's
 * {@code Content-Range} tells) as consecutive ranged GetObjects, delivered in order
 * with back-pressure. One range is fetched at a time while the reader keeps up with it; once the
 * reader waits for S3 (it is faster than one connection), up to {@code maxInFlight} ranges are
 * fetched at once, each buffered (at most its size) until its turn, so memory stays at most
 * {@code maxInFlight} × {@code rangeSize}. A cancel, or a range that fails or comes back short,
 * cancels every range in flight (which releases their connections) and ends the stream: a reader
 * never sees a short body complete.
 * Hand-written because Mutiny's operators either fetch one inner stream at a time (concatenate) or
 * emit out of order with unbounded buffering of finished inners (merge).
 */
final class ReadAhead implements Flow.Publisher<Buffer> {
    private final long start;
    private final long end;
    private final long rangeSize;
    private final int maxInFlight;
    private final BiFunction<String, Consumer<GetObjectResponse>, Flow.Publisher<ByteBuffer>> get;

    /** {@code get} returns the body of a GetObject with the given {@code Range} header, its response handed to the consumer. */
    ReadAhead(long start, long end, long rangeSize, int maxInFlight,
            BiFunction<String, Consumer<GetObjectResponse>, Flow.Publisher<ByteBuffer>> get) {
        this.start = start;
        this.end = end;
        this.rangeSize = rangeSize;
        this.maxInFlight = maxInFlight;
        this.get = get;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Buffer> downstream) {
        Reader reader = new Reader(downstream);
        downstream.onSubscribe(reader);
        reader.drain();
    }

    /** The downstream's subscription; every decision is taken in {@link #drain}, one thread at a time. */
    private final class Reader implements Flow.Subscription {
        private final Flow.Subscriber<? super Buffer> downstream;
        private final AtomicInteger work = new AtomicInteger();
        private final AtomicLong requested = new AtomicLong();
        /** The ranges started and not yet delivered, in order; touched in {@link #drain} only. */
        private final ArrayDeque<Range> window = new ArrayDeque<>();
        private long next = start;
        /** The last byte to read, once the first response told the object's size; -1 before. */
        private volatile long last = -1;
        private boolean delivering;
        private boolean terminated;
        private volatile boolean cancelled;

        Reader(Flow.Subscriber<? super Buffer> downstream) {
            this.downstream = downstream;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                downstream.onError(new IllegalArgumentException("request(" + n + "): demand must be positive (rule 3.9)"));
                return;
            }
            Subscriptions.add(requested, n);
            drain();
        }

        @Override
        public void cancel() {
            cancelled = true;
            drain();
        }

        void drain() {
            if (work.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            do {
                if (!terminated) {
                    step();
                }
                missed = work.addAndGet(-missed);
            } while (missed != 0);
        }

        private void step() {
            while (true) {
                if (cancelled) {
                    release();
                    return;
                }
                Throwable failure = firstFailure();
                if (failure != null) {
                    release();
                    downstream.onError(failure);
                    return;
                }
                Range head = window.peekFirst();
                if (head == null) {
                    if (next > start && next > last) {
                        terminated = true;
                        downstream.onComplete();
                        return;
                    }
                    window.add(fetchNext());
                    continue;
                }
                long emitted = 0;
                long demand = requested.get();
                Buffer item;
                while (emitted < demand && !cancelled && (item = head.received.poll()) != null) {
                    downstream.onNext(item);
                    emitted++;
                }
                if (emitted > 0) {
                    delivering = true;
                    Subscriptions.produced(requested, emitted);
                }
                if (cancelled) {
                    continue;
                }
                if (head.complete && head.received.isEmpty()) {
                    window.removeFirst();
                    continue;
                }
                // the reader has taken all this range has so far and wants more: S3 is the slower side
                boolean waiting = delivering && head.received.isEmpty() && requested.get() > 0;
                if (waiting && window.size() < maxInFlight && next <= last) {
                    window.add(fetchNext());
                    continue;
                }
                return;
            }
        }

        /** A loop, not a stream: this runs for every piece of every download. */
        private Throwable firstFailure() {
            for (Range range : window) {
                if (range.failure != null) {
                    return range.failure;
                }
            }
            return null;
        }

        private Range fetchNext() {
            long to = Math.min(next == start ? end : last, next + rangeSize - 1);
            Range range = new Range(this, next == start, to - next + 1);
            Consumer<GetObjectResponse> sized = range.first ? response -> sized(response, range, to) : response -> {
            };
            get.apply("bytes=" + next + "-" + to, sized).subscribe(range);
            next = to + 1;
            return range;
        }

        /** The first range's response: what is left to read is known, the other ranges can be planned. */
        private void sized(GetObjectResponse response, Range first, long requestedTo) {
            String contentRange = response.contentRange();
            long total = contentRange == null || contentRange.indexOf('/') < 0 || contentRange.endsWith("/*")
                    // no size given: the first range is all there is to read
                    ? start + response.contentLength()
                    : Long.parseLong(contentRange.substring(contentRange.indexOf('/') + 1).trim());
            long to = Math.min(end, total - 1);
            first.expected = Math.min(requestedTo, to) - start + 1;
            last = to;
            drain();
        }

        private void release() {
            terminated = true;
            window.forEach(Range::cancel);
            window.clear();
        }
    }

    /** One ranged GetObject, read as fast as S3 sends it (its size bounds what it holds). */
    private static final class Range implements Flow.Subscriber<ByteBuffer> {
        private final Reader reader;
        final boolean first;
        volatile long expected;
        private final AtomicReference<Flow.Subscription> body = new AtomicReference<>();
        final Queue<Buffer> received = new ConcurrentLinkedQueue<>();
        private final PieceJoiner joiner = new PieceJoiner();
        private long bytes;
        volatile boolean complete;
        volatile Throwable failure;

        Range(Reader reader, boolean first, long expected) {
            this.reader = reader;
            this.first = first;
            this.expected = expected;
        }

        void cancel() {
            Subscriptions.cancel(body);
            received.clear();
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            if (body.compareAndSet(null, subscription)) {
                subscription.request(Long.MAX_VALUE);
            } else {
                subscription.cancel();
            }
        }

        @Override
        public void onNext(ByteBuffer item) {
            bytes += item.remaining();
            Buffer joined = joiner.add(item);
            if (joined != null) {
                received.add(joined);
                reader.drain();
            }
        }

        @Override
        public void onError(Throwable error) {
            // past the end is an empty read for the first range only; for the next ones the object shrank
            failure = first || !S3Errors.hasStatus(error, 416) ? error
                    : new StorageException("s3 GetObject: the object ended before a planned range", error);
            reader.drain();
        }

        @Override
        public void onComplete() {
            if (bytes != expected) {
                // the object is shorter than the read planned: never a complete-looking short body
                failure = new StorageException("s3 GetObject: a range returned " + bytes + " of " + expected + " bytes");
            } else {
                Buffer rest = joiner.rest();
                if (rest != null) {
                    received.add(rest);
                }
                complete = true;
            }
            reader.drain();
        }
    }
}
