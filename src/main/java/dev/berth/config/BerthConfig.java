package dev.berth.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What the config source derived from the Distribution file. */
@ConfigMapping(prefix = "berth")
public interface BerthConfig {

    /** The one storage driver configured. */
    @WithDefault("filesystem")
    String storageDriver();

    /** Where the configuration came from, for the startup log line. */
    @WithDefault("default")
    String configOrigin();
}
