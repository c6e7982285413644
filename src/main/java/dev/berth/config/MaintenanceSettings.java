package dev.berth.config;

import java.time.Duration;

/**
 * {@code storage.maintenance.uploadpurging} (Distribution's keys and defaults) and
 * {@code storage.maintenance.gc} (Berth's): read once here, by the config check before start and by
 * the scheduler, so both apply the same defaults and rules.
 */
public record MaintenanceSettings(UploadPurging uploadPurging, Gc gc) {
    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);
    private static final Duration MINUTE = Duration.ofMinutes(1);

    public record UploadPurging(boolean enabled, Duration age, Duration interval, boolean dryRun) {
    }

    public record Gc(boolean enabled, Duration interval, Duration grace, boolean deleteUntagged, boolean dryRun) {
    }

    /** {@code maintenance} is the reader of {@code storage.maintenance}. */
    public static MaintenanceSettings parse(OptionReader maintenance) {
        OptionReader purging = maintenance.section("uploadpurging");
        OptionReader gc = maintenance.section("gc");
        return new MaintenanceSettings(
                new UploadPurging(purging.bool("enabled", true),
                        purging.duration("age", Duration.ofHours(168), MINUTE, null),
                        purging.duration("interval", Duration.ofHours(24), MINUTE, null),
                        purging.bool("dryrun", false)),
                new Gc(gc.bool("enabled", false),
                        gc.duration("interval", Duration.ofHours(24), MINUTE, null),
                        gc.duration("grace", DEFAULT_GRACE, Duration.ZERO, null),
                        gc.bool("deleteuntagged", false),
                        gc.bool("dryrun", false)));
    }
}
