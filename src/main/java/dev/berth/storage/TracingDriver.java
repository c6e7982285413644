package dev.berth.storage;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.berth.storage.middleware.DelegatingStorageDriver;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * Every storage call as a span, a child of the request's (OpenTelemetry; the tracer does nothing
 * while tracing is off). The span starts when the call is subscribed to and ends when it completes,
 * fails or is cancelled.
 */
final class TracingDriver extends DelegatingStorageDriver {
    private final Tracer tracer;

    TracingDriver(StorageDriver driver, Tracer tracer) {
        super(driver);
        this.tracer = tracer;
    }

    private Span start(String operation, String path) {
        return tracer.spanBuilder("storage " + operation).setAttribute("berth.storage.driver", driver.name())
                .setAttribute("berth.storage.path", path).startSpan();
    }

    private static void end(Span span, Throwable failure) {
        if (failure != null) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    private <T> Uni<T> traced(String operation, String path, Supplier<Uni<T>> call) {
        return Uni.createFrom().deferred(() -> {
            Span span = start(operation, path);
            return call.get().onTermination().invoke((item, failure, cancelled) -> end(span, failure));
        });
    }

    private <T> Multi<T> tracedStream(String operation, String path, Supplier<Multi<T>> call) {
        return Multi.createFrom().deferred(() -> {
            Span span = start(operation, path);
            return call.get().onTermination().invoke((failure, cancelled) -> end(span, failure));
        });
    }

    @Override
    public Uni<byte[]> getContent(String path) {
        return traced("getContent", path, () -> driver.getContent(path));
    }

    @Override
    public Uni<Void> putContent(String path, byte[] content) {
        return traced("putContent", path, () -> driver.putContent(path, content));
    }

    @Override
    public Uni<Boolean> putContentIfAbsent(String path, byte[] content) {
        return traced("putContentIfAbsent", path, () -> driver.putContentIfAbsent(path, content));
    }

    @Override
    public Multi<Buffer> read(String path, long offset, long length) {
        return tracedStream("read", path, () -> driver.read(path, offset, length));
    }

    @Override
    public Uni<FileWriter> writer(String path, boolean append) {
        return traced("writer", path, () -> driver.writer(path, append));
    }

    @Override
    public Uni<FileInfo> stat(String path) {
        return traced("stat", path, () -> driver.stat(path));
    }

    @Override
    public Uni<Optional<Long>> fileSize(String path) {
        return traced("stat", path, () -> driver.fileSize(path));
    }

    @Override
    public Uni<List<String>> list(String path) {
        return traced("list", path, () -> driver.list(path));
    }

    @Override
    public Uni<Void> move(String source, String destination) {
        return traced("move", source, () -> driver.move(source, destination));
    }

    @Override
    public Uni<Void> place(String source, String destination, long size) {
        return traced("move", source, () -> driver.place(source, destination, size));
    }

    @Override
    public Uni<Void> delete(String path) {
        return traced("delete", path, () -> driver.delete(path));
    }

    @Override
    public Multi<FileInfo> walk(String path) {
        return tracedStream("walk", path, () -> driver.walk(path));
    }

    @Override
    public Uni<Optional<String>> redirectUrl(RedirectRequest request, String path) {
        return traced("redirectUrl", path, () -> driver.redirectUrl(request, path));
    }
}
