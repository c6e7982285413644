package dev.berth.storage;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The {@code middleware} section: storage middleware applied in order around the driver. */
@ConfigMapping(prefix = "middleware")
public interface MiddlewareConfig {

    Optional<List<Entry>> storage();

    interface Entry {
        String name();

        @WithDefault("false")
        boolean disabled();

        Map<String, String> options();
    }
}
