package dev.berth.config;

import java.util.Map;

/**
 * OpenTelemetry is off unless the standard {@code OTEL_*} environment asks for it: an OTLP endpoint
 * (unless {@code OTEL_SDK_DISABLED=true}), or {@code OTEL_SDK_DISABLED=false}. Quarkus reads only its
 * own {@code quarkus.otel.*} names, so the standard ones are mapped here.
 */
final class TracingSettings {
    private TracingSettings() {
    }

    static void apply(Map<String, String> env, Map<String, String> props) {
        String disabled = env.getOrDefault("OTEL_SDK_DISABLED", "").trim();
        boolean endpoint = env.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT") || env.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        boolean on = disabled.equalsIgnoreCase("false") || (endpoint && !disabled.equalsIgnoreCase("true"));
        props.put("quarkus.otel.sdk.disabled", Boolean.toString(!on));
        copy(env, "OTEL_EXPORTER_OTLP_ENDPOINT", props, "quarkus.otel.exporter.otlp.endpoint");
        copy(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", props, "quarkus.otel.exporter.otlp.traces.endpoint");
        copy(env, "OTEL_EXPORTER_OTLP_PROTOCOL", props, "quarkus.otel.exporter.otlp.protocol");
        copy(env, "OTEL_SERVICE_NAME", props, "quarkus.otel.service.name");
    }

    private static void copy(Map<String, String> env, String name, Map<String, String> props, String key) {
        String value = env.get(name);
        if (value != null && !value.isBlank()) {
            props.put(key, value.trim());
        }
    }
}
