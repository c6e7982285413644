package dev.berth.storage;

import dev.berth.config.OptionReader;
import dev.berth.config.OptionsValidator;

/**
 * Wraps the storage driver for one {@code middleware.storage} entry; one CDI bean per name. Listed in
 * {@code META-INF/services/dev.berth.config.OptionsValidator} too, so the config check before start
 * has the middleware check its own options.
 */
public interface StorageMiddlewareFactory extends OptionsValidator {

    /** The middleware's config name (cloudfront, redirect). */
    @Override
    String name();

    @Override
    default Kind kind() {
        return Kind.STORAGE_MIDDLEWARE;
    }

    /** Checks the entry's options; a middleware without options has nothing to check. */
    @Override
    default void validate(OptionReader options) {
    }

    /** Wraps {@code driver}; {@code options} are the entry's options, keys lower-case. */
    StorageDriver wrap(StorageDriver driver, OptionReader options);
}
