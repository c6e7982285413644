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

    Cache cache();

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

    /** Berth always keeps blob descriptors in memory; {@code tagttl} and {@code descriptorttl} are Berth's own keys. */
    interface Cache {
        Optional<String> blobdescriptor();

        /**
         * How long a blob descriptor (repository link and size) or manifest revision read from storage
         * is reused (a Go duration; 0 turns these caches off). Deletes made through this replica are
         * seen at once; through another, within this time.
         */
        @WithDefault("10s")
        String descriptorttl();

        /**
         * How long a tag read from storage is reused (a Go duration; 0 turns it off). Tag changes made
         * through this replica are seen at once; through another, within this time.
         */
        @WithDefault("1s")
        String tagttl();
    }

    interface Maintenance {
        Readonly readonly();

        interface Readonly {
            @WithDefault("false")
            boolean enabled();
        }
    }
}
