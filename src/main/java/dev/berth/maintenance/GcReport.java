package dev.berth.maintenance;

import java.time.Duration;

/** What a collection did (or, in a dry run, would do). */
public record GcReport(boolean dryRun, int manifestsKept, int blobsKept, int blobsDeleted, long bytesFreed, int manifestsDeleted,
        int linksDeleted, Duration took) {

    public String summary() {
        String verb = dryRun ? "would be " : "";
        return String.format("%d manifests kept, %d blobs kept, %d blobs %sdeleted, %d bytes %sfreed, %d manifests %sdeleted, "
                + "%d links %sdeleted, in %.1fs%s", manifestsKept, blobsKept, blobsDeleted, verb, bytesFreed, verb, manifestsDeleted, verb,
                linksDeleted, verb, took.toMillis() / 1000.0, dryRun ? " (dry run: nothing deleted)" : "");
    }
}
