package dev.berth.maintenance;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.berth.registry.StoragePaths;
import dev.berth.storage.OpenUploads;
import dev.berth.storage.OpenUploads.OpenUpload;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Distribution's upload purging: upload directories ({@code _uploads/<id>}) started more than
 * {@code age} ago are deleted. Then, on drivers that keep uploads open in the store (S3), every open
 * multipart upload under the root whose upload is gone, or that began more than {@code age} ago, is
 * aborted with its side objects: registry:2 leaves those behind, and S3 bills their parts.
 */
public final class UploadPurger {
    private static final String UPLOADS = "/_uploads/";
    private static final int CONCURRENCY = 8;

    /** What a purge did (or would do). */
    public record Result(int uploadsDeleted, int multipartAborted) {
    }

    private final StorageDriver driver;
    private final Clock clock;

    public UploadPurger(StorageDriver driver, Clock clock) {
        this.driver = driver;
        this.clock = clock;
    }

    public Uni<Result> purge(Duration age, boolean dryRun, Consumer<String> out) {
        Instant cutoff = clock.instant().minus(age);
        AtomicInteger deleted = new AtomicInteger();
        AtomicInteger aborted = new AtomicInteger();
        String verb = dryRun ? "would purge " : "purging ";
        Uni<Void> directories = uploadDirectories().chain(started -> Multi.createFrom().iterable(started.entrySet())
                .filter(e -> e.getValue().isBefore(cutoff))
                .onItem().transformToUni(e -> {
                    out.accept(verb + "upload " + e.getKey() + " started " + e.getValue());
                    deleted.incrementAndGet();
                    return dryRun ? Uni.createFrom().voidItem()
                            : driver.delete(e.getKey()).onFailure(PathNotFoundException.class).recoverWithNull();
                }).merge(CONCURRENCY).collect().last().replaceWithVoid());
        Uni<Void> multipart = driver.unwrap(OpenUploads.class)
                .map(store -> store.openUploads("/")
                        .onItem().transformToUni(upload -> abandoned(upload, cutoff).chain(gone -> {
                            if (!gone) {
                                return Uni.createFrom().voidItem();
                            }
                            out.accept((dryRun ? "would abort " : "aborting ") + "multipart upload of " + upload.path() + " begun "
                                    + upload.initiated());
                            aborted.incrementAndGet();
                            return dryRun ? Uni.createFrom().voidItem() : store.abort(upload);
                        })).merge(CONCURRENCY).collect().last().replaceWithVoid())
                .orElse(Uni.createFrom().voidItem());
        return directories.chain(() -> multipart).map(v -> new Result(deleted.get(), aborted.get()));
    }

    /**
     * Older than the cutoff, or an upload's whose directory is gone. Its {@code startedat} is written
     * before the multipart upload is created, so an upload listed while it lives is never "gone".
     */
    private Uni<Boolean> abandoned(OpenUpload upload, Instant cutoff) {
        if (upload.initiated().isBefore(cutoff)) {
            return Uni.createFrom().item(true);
        }
        // not an upload (e.g. a blob being copied into place): only its age counts
        return directory(upload.path()).map(dir -> driver.stat(dir + "/startedat").replaceWith(false)
                        .onFailure(PathNotFoundException.class).recoverWithItem(true))
                .orElse(Uni.createFrom().item(false));
    }

    /** Each upload directory with its start: its {@code startedat}, else the newest of its files. */
    private Uni<Map<String, Instant>> uploadDirectories() {
        Map<String, Instant> started = new TreeMap<>();
        Map<String, String> startedAtFiles = new TreeMap<>();
        return driver.walk(StoragePaths.REPOSITORIES).onFailure(PathNotFoundException.class).recoverWithCompletion()
                .invoke(file -> directory(file.path()).ifPresent(dir -> {
                    started.merge(dir, file.modified(), (a, b) -> a.isAfter(b) ? a : b);
                    if (file.path().equals(dir + "/startedat")) {
                        startedAtFiles.put(dir, file.path());
                    }
                }))
                .collect().last()
                .chain(() -> Multi.createFrom().iterable(startedAtFiles.entrySet())
                        .onItem().transformToUni(e -> driver.getContent(e.getValue())
                                .map(bytes -> parse(new String(bytes, StandardCharsets.UTF_8).trim()))
                                .onFailure(PathNotFoundException.class).recoverWithNull()
                                .invoke(time -> {
                                    if (time != null) {
                                        synchronized (started) {
                                            started.put(e.getKey(), time);
                                        }
                                    }
                                }))
                        .merge(CONCURRENCY).collect().last())
                .replaceWith(started);
    }

    /** {@code .../_uploads/<id>} of a path below an upload directory. */
    private static Optional<String> directory(String path) {
        int at = path.indexOf(UPLOADS);
        if (at < 0) {
            return Optional.empty();
        }
        int end = path.indexOf('/', at + UPLOADS.length());
        return end < 0 ? Optional.empty() : Optional.of(path.substring(0, end));
    }

    /** RFC 3339, as both registries write it; anything else is no start time. */
    private static Instant parse(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
