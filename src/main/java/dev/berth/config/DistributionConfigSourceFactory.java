package dev.berth.config;

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
        DistributionConfigFile file = DistributionConfigFile.checkBeforeStart(location, System.getenv());
        return List.of(new PropertiesConfigSource(toProperties(file), "berth:" + file.origin(), ORDINAL));
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

        ListenAddress addr = ListenAddress.parse(flat.getOrDefault("http.addr", ":5000"));
        props.put("quarkus.http.host", addr.host());
        props.put("quarkus.http.port", Integer.toString(addr.port()));

        TlsSettings.apply(file.options(), addr.port(), props);
        String http2Disabled = flat.get("http.http2.disabled");
        if (http2Disabled != null) {
            props.put("quarkus.http.http2", Boolean.toString(!Boolean.parseBoolean(http2Disabled.trim())));
        }

        String level = flat.get("log.level");
        if (level != null && !level.isBlank()) {
            props.put("quarkus.log.level", level.trim().toUpperCase().replace("WARNING", "WARN"));
        }
        String formatter = flat.getOrDefault("log.formatter", "text").trim();
        props.put("quarkus.log.console.json.enabled", Boolean.toString(!formatter.equals("text") && !formatter.isEmpty()));
        props.put("quarkus.http.access-log.enabled",
                Boolean.toString(!Boolean.parseBoolean(flat.getOrDefault("log.accesslog.disabled", "false").trim())));
        return props;
    }
}
