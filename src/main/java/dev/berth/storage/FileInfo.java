package dev.berth.storage;

import java.time.Instant;

/** What stat and walk report about one path. */
public record FileInfo(String path, long size, Instant modified, boolean directory) {
}
