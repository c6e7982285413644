package dev.berth.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import dev.berth.config.OptionReader;
import dev.berth.registry.Digest;
import dev.berth.registry.StoragePaths;
import dev.berth.storage.FileWriter;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageMiddlewareFactory;
import dev.berth.storage.middleware.DelegatingStorageDriver;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * Test middleware {@code faults}: the disk errors the JDK raises, by repository name. In a
 * {@code fullwrite} repository an upload's stream fails inside the driver's writer after 64 KiB,
 * as a filling disk does; in {@code fullput} and {@code rofs} small writes fail in the middleware
 * itself, untranslated by any driver. Content marked {@link #SLOW_MARKER} is written late. In a
 * {@code swept} repository a manifest revision link, once written, loses its blob's data, as when a
 * garbage collection moves content aside that the push reused.
 */
@ApplicationScoped
public class FaultsMiddlewareFactory implements StorageMiddlewareFactory {
    static final long WRITTEN_BEFORE_FULL = 64 * 1024;
    /** Content holding this text is written {@link #SLOW_WRITE} late: a stalled manifest push. */
    static final String SLOW_MARKER = "berth.test.slow-write";
    /** Longer than the test configuration's descriptor cache (10 s): a check after it reads storage. */
    static final Duration SLOW_WRITE = Duration.ofSeconds(12);

    @Override
    public String name() {
        return "faults";
    }

    @Override
    public StorageDriver wrap(StorageDriver driver, OptionReader options) {
        return new Faults(driver);
    }

    private static final class Faults extends DelegatingStorageDriver {
        Faults(StorageDriver driver) {
            super(driver);
        }

        @Override
        public Uni<Void> putContent(String path, byte[] content) {
            if (path.contains("/fullput/")) {
                return Uni.createFrom().failure(new FileSystemException(path, null, "No space left on device"));
            }
            if (path.contains("/rofs/")) {
                return Uni.createFrom().failure(new FileSystemException(path, null, "Read-only file system"));
            }
            if (path.contains("/swept/") && path.contains("/_manifests/revisions/")) {
                String digest = new String(content, StandardCharsets.UTF_8).trim();
                return driver.putContent(path, content).chain(() -> driver.delete(StoragePaths.blobData(Digest.parse(digest))));
            }
            if (new String(content, StandardCharsets.UTF_8).contains(SLOW_MARKER)) {
                return driver.putContent(path, content).onItem().delayIt().by(SLOW_WRITE);
            }
            return driver.putContent(path, content);
        }

        @Override
        public Uni<FileWriter> writer(String path, boolean append) {
            if (!path.contains("/fullwrite/")) {
                return driver.writer(path, append);
            }
            return driver.writer(path, append).map(w -> new FileWriter() {
                @Override
                public long size() {
                    return w.size();
                }

                @Override
                public Uni<Long> write(Multi<Buffer> data) {
                    AtomicLong seen = new AtomicLong();
                    // the driver's own writer sees the failure, as it would see the disk's
                    return w.write(data.onItem().transformToUniAndConcatenate(b -> seen.addAndGet(b.length()) > WRITTEN_BEFORE_FULL
                            ? Uni.createFrom().failure(new FileSystemException(path, null, "No space left on device"))
                            : Uni.createFrom().item(b)));
                }

                @Override
                public Uni<Void> close() {
                    return w.close();
                }

                @Override
                public Uni<Void> commit() {
                    return w.commit();
                }

                @Override
                public Uni<Void> cancel() {
                    return w.cancel();
                }
            });
        }
    }
}
