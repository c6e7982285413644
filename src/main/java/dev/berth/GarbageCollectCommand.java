package dev.berth;

import java.time.Duration;

import jakarta.inject.Inject;

import dev.berth.CommandLine.GarbageCollect;
import dev.berth.maintenance.GarbageCollection;
import dev.berth.maintenance.GcOptions;
import dev.berth.maintenance.GcReport;
import io.quarkus.runtime.QuarkusApplication;

/** {@code berth garbage-collect}: Quarkus runs it in command mode, with no HTTP listener (see {@link Main}). */
public class GarbageCollectCommand implements QuarkusApplication {
    /** A collection of any size is bounded by storage, not by this; it only stops a run that hangs. */
    private static final Duration LIMIT = Duration.ofDays(1);

    @Inject
    GarbageCollection collection;

    @Override
    public int run(String... args) {
        GarbageCollect gc = (GarbageCollect) CommandLine.parse(args);
        try {
            GcReport report = collection.run(new GcOptions(gc.dryRun(), gc.deleteUntagged(), gc.grace()), line -> {
                System.out.println(line);
            }).await().atMost(LIMIT);
            System.out.flush();
            return report == null ? 1 : 0;
        } catch (RuntimeException e) {
            System.err.println("berth: garbage-collect failed: " + e.getMessage());
            return 1;
        }
    }
}
