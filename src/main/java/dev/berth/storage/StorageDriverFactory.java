package dev.berth.storage;

import dev.berth.config.OptionReader;
import dev.berth.config.OptionsValidator;

/**
 * Builds the storage driver named in {@code storage:}; one CDI bean per driver. Listed in
 * {@code META-INF/services/dev.berth.config.OptionsValidator} too, so the config check before start
 * has the driver check its own {@code storage.<name>} options.
 */
public interface StorageDriverFactory extends OptionsValidator {

    /** The name under {@code storage:} this factory builds (filesystem, inmemory, s3). */
    @Override
    String name();

    @Override
    default Kind kind() {
        return Kind.STORAGE_DRIVER;
    }

    /** Checks {@code storage.<name>}; a driver without options has nothing to check. */
    @Override
    default void validate(OptionReader options) {
    }

    StorageDriver create();
}
