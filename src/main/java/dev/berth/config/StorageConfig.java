package dev.berth.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The {@code storage} section; driver-specific groups live with their drivers. */
@ConfigMapping(prefix = "storage")
public interface StorageConfig {

    Optional<Filesystem> filesystem();

    Delete delete();

    Redirect redirect();

    Maintenance maintenance();

    interface Filesystem {
        @WithDefault("/var/lib/registry")
        String rootdirectory();

        @WithDefault("100")
        int maxthreads();
    }

    interface Delete {
        @WithDefault("false")
        boolean enabled();
    }

    interface Redirect {
        @WithDefault("false")
        boolean disable();
    }

    interface Maintenance {
        Readonly readonly();

        interface Readonly {
            @WithDefault("false")
            boolean enabled();
        }
    }
}
