package dev.berth.storage;

import java.util.Map;

/** Wraps the storage driver for one {@code middleware.storage} entry; one CDI bean per name. */
public interface StorageMiddlewareFactory {

    /** The middleware's config name (cloudfront, redirect). */
    String name();

    /** Wraps {@code driver}; {@code options} are the entry's options, keys lower-case. */
    StorageDriver wrap(StorageDriver driver, Map<String, String> options);
}
