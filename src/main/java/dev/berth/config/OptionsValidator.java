package dev.berth.config;

/**
 * Checks the options of one storage driver, storage middleware or section before start, so a bad option stops
 * startup with the same one line as any other config error. The config check runs before CDI (and
 * may not name the storage packages), so implementations are found with {@link java.util.ServiceLoader}:
 * they are listed in {@code META-INF/services/dev.berth.config.OptionsValidator} and need a public
 * no-argument constructor; {@link #validate} must use nothing but its options.
 */
public interface OptionsValidator {

    /** Where a part's options are written. */
    enum Kind {
        /** {@code storage.<name>}. */
        STORAGE_DRIVER,
        /** {@code middleware.storage[i].options} of an entry named {@code <name>}. */
        STORAGE_MIDDLEWARE,
        /** A top-level section, {@code <name>.*}, checked when it is written. */
        SECTION
    }

    Kind kind();

    /** The name in the config file: s3, cloudfront, ... */
    String name();

    /** Throws {@link ConfigError} naming the first bad option. */
    void validate(OptionReader options);
}
