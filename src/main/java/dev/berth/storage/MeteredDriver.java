package dev.berth.storage;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

import dev.berth.storage.middleware.DelegatingStorageDriver;
import dev.berth.storage.middleware.MiddlewareMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * Times every call to the driver by action and outcome, as Distribution's base driver does
 * ({@code registry_storage_action_seconds}, with its action names). It wraps the driver itself, under
 * the middleware, so it counts storage round trips, not cache hits or CDN signatures. A stream
 * ({@code Reader}, {@code Walk}) is timed until it ends.
 */
final class MeteredDriver extends DelegatingStorageDriver {
    static final String ACTION = "registry.storage.action";

    enum Action {
        GetContent, PutContent, PutContentIfAbsent, Reader, Writer, Stat, List, Move, Delete, Walk, RedirectURL
    }

    enum Outcome {
        SUCCESS, NOT_FOUND, ERROR, CANCELLED
    }

    private static final int OUTCOMES = Outcome.values().length;

    private final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(Action.values().length * OUTCOMES);
    private final MeterRegistry registry;
    private final MiddlewareMetrics redirects;

    MeteredDriver(StorageDriver driver, MeterRegistry registry, MiddlewareMetrics redirects) {
        super(driver);
        this.registry = registry;
        this.redirects = redirects;
    }

    @Override
    public Uni<byte[]> getContent(String path) {
        return timed(Action.GetContent, () -> driver.getContent(path));
    }

    @Override
    public Uni<Void> putContent(String path, byte[] content) {
        return timed(Action.PutContent, () -> driver.putContent(path, content));
    }

    @Override
    public Uni<Boolean> putContentIfAbsent(String path, byte[] content) {
        return timed(Action.PutContentIfAbsent, () -> driver.putContentIfAbsent(path, content));
    }

    @Override
    public Multi<Buffer> read(String path, long offset, long length) {
        return timedStream(Action.Reader, () -> driver.read(path, offset, length));
    }

    @Override
    public Uni<FileWriter> writer(String path, boolean append) {
        return timed(Action.Writer, () -> driver.writer(path, append));
    }

    @Override
    public Uni<FileInfo> stat(String path) {
        return timed(Action.Stat, () -> driver.stat(path));
    }

    @Override
    public Uni<Optional<Long>> fileSize(String path) {
        return timed(Action.Stat, () -> driver.fileSize(path));
    }

    @Override
    public Uni<List<String>> list(String path) {
        return timed(Action.List, () -> driver.list(path));
    }

    @Override
    public Uni<Void> move(String source, String destination) {
        return timed(Action.Move, () -> driver.move(source, destination));
    }

    @Override
    public Uni<Void> place(String source, String destination, long size) {
        return timed(Action.Move, () -> driver.place(source, destination, size));
    }

    @Override
    public Uni<Void> delete(String path) {
        return timed(Action.Delete, () -> driver.delete(path));
    }

    @Override
    public Multi<FileInfo> walk(String path) {
        return timedStream(Action.Walk, () -> driver.walk(path));
    }

    @Override
    public Uni<Optional<String>> redirectUrl(RedirectRequest request, String path) {
        return timed(Action.RedirectURL, () -> driver.redirectUrl(request, path)).invoke(url -> {
            if (url.isPresent()) {
                redirects.storageRedirects.increment();
            }
        });
    }

    private <T> Uni<T> timed(Action action, Supplier<Uni<T>> call) {
        return Uni.createFrom().deferred(() -> {
            long start = System.nanoTime();
            return call.get().onTermination().invoke((item, failure, cancelled) -> record(action, start, failure, cancelled));
        });
    }

    private <T> Multi<T> timedStream(Action action, Supplier<Multi<T>> call) {
        return Multi.createFrom().deferred(() -> {
            long start = System.nanoTime();
            return call.get().onTermination().invoke((failure, cancelled) -> record(action, start, failure, cancelled));
        });
    }

    private void record(Action action, long start, Throwable failure, boolean cancelled) {
        Outcome outcome = cancelled ? Outcome.CANCELLED
                : failure == null ? Outcome.SUCCESS
                : failure instanceof PathNotFoundException ? Outcome.NOT_FOUND : Outcome.ERROR;
        int key = action.ordinal() * OUTCOMES + outcome.ordinal();
        Timer timer = timers.get(key);
        if (timer == null) {
            // built at first use, so the scrape holds no series of actions never taken; a race gets the same meter twice
            timer = Timer.builder(ACTION).description("storage driver calls, by action and outcome")
                    .tags("driver", driver.name(), "action", action.name(), "outcome", outcome.name().toLowerCase(Locale.ROOT))
                    .register(registry);
            timers.set(key, timer);
        }
        timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
}
