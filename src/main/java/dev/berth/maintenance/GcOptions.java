package dev.berth.maintenance;

import java.time.Duration;

/** How a collection runs: {@code registry garbage-collect}'s flags, and Berth's grace period. */
public record GcOptions(boolean dryRun, boolean deleteUntagged, Duration grace) {
}
