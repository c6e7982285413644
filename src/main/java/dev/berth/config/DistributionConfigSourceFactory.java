package dev.berth.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Puts the Distribution config file into SmallRye Config, with the Quarkus settings it implies
 * (listen address, log level, access log). The file is {@code -Dberth.config} (set by
 * {@code serve [CONFIG]}; empty for the embedded default), else the {@code berth.config} property
 * (tests). With neither, this is the build, and no source is given: otherwise Quarkus would record
 * the default file's values as runtime defaults, and they would leak into every other config.
 */
public class DistributionConfigSourceFactory implements ConfigSourceFactory {

    /** Above application.properties (250), below environment (300) and system properties (400). */
    static final int ORDINAL = 275;
    static final String DEV_PROFILE = "dev";
    static final String DEFAULT_ADDR = ":5000";
    /** What {@code quarkus:dev} serves when no file is given: the project's default, not the embedded copy. */
    static final String DEV_DEFAULT_FILE = "config/config.yml";
    private static final String CLASSPATH_ORIGIN = "classpath:";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        String location = System.getProperty("berth.config");
        if (location == null) {
            ConfigValue value = context.getValue("berth.config");
            location = value == null ? null : value.getValue();
        }
        if (location == null) {
            return List.of();
        }
        boolean dev = context.getProfiles().contains(DEV_PROFILE);
        if (dev && location.isBlank() && Files.isRegularFile(Path.of(DEV_DEFAULT_FILE))) {
            // the embedded copy is not refreshed in dev mode: read the project's file itself
            location = DEV_DEFAULT_FILE;
        }
        DistributionConfigFile file = DistributionConfigFile.checkBeforeStart(location, System.getenv());
        Map<String, String> props = toProperties(file);
        TracingSettings.apply(System.getenv(), props);
        if (dev) {
            forDevMode(file, props);
        }
        return List.of(new PropertiesConfigSource(props, "berth:" + file.origin(), ORDINAL));
    }

    /**
     * {@code quarkus:dev} listens on loopback unless {@code http.addr} names a host (a developer's
     * registry is not for the network), and restarts when its file changes: the watched file is read
     * when dev mode builds the application, which is why application.properties sets berth.config for dev.
     */
    static void forDevMode(DistributionConfigFile file, Map<String, String> props) {
        // ":5000" (no host) is every interface; an address written out, even 0.0.0.0, is kept
        if (file.properties().getOrDefault("http.addr", DEFAULT_ADDR).trim().startsWith(":")) {
            props.put("quarkus.http.host", "localhost");
        }
        if (!file.origin().startsWith(CLASSPATH_ORIGIN)) {
            props.put("quarkus.live-reload.watched-resources", Path.of(file.origin()).toAbsolutePath().normalize().toString());
        }
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    static Map<String, String> toProperties(DistributionConfigFile file) {
        Map<String, String> props = new HashMap<>(file.properties());
        Map<String, String> flat = file.properties();
        props.put("berth.storage-driver", file.storageDriver());
        props.put("berth.config-origin", file.origin());

        ListenAddress addr = ListenAddress.parse(flat.getOrDefault("http.addr", DEFAULT_ADDR));
        props.put("quarkus.http.host", addr.host());
        props.put("quarkus.http.port", Integer.toString(addr.port()));

        TlsSettings.apply(file.options(), addr.port(), props);
        String http2Disabled = flat.get("http.http2.disabled");
        if (http2Disabled != null) {
            props.put("quarkus.http.http2", Boolean.toString(!Boolean.parseBoolean(http2Disabled.trim())));
        }

        // Quarkus' graceful shutdown: in-flight requests finish up to this long, new ones get 503
        String drain = flat.get("http.draintimeout");
        if (drain != null && !drain.isBlank()) {
            props.put("quarkus.shutdown.timeout", GoDuration.parse(drain.trim()).toString());
        }

        // the top-level loglevel is Distribution's deprecated spelling of log.level
        String level = flat.getOrDefault("log.level", flat.get("loglevel"));
        if (level != null && !level.isBlank()) {
            props.put("quarkus.log.level", level.trim().toUpperCase().replace("WARNING", "WARN").replace("PANIC", "FATAL"));
        }
        props.put("berth.http.h2c", Boolean.toString(Boolean.parseBoolean(flat.getOrDefault("http.h2c.enabled", "false").trim())));
        props.put("berth.access-log.enabled",
                Boolean.toString(!Boolean.parseBoolean(flat.getOrDefault("log.accesslog.disabled", "false").trim())));
        LogSettings.apply(file.options(), props);
        RedisSettings.apply(file.options(), props);
        return props;
    }
}
