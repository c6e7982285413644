package dev.berth.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The {@code http} section (listen address is applied to Quarkus by the config source). */
@ConfigMapping(prefix = "http")
public interface HttpConfig {

    @WithDefault(":5000")
    String addr();

    /** Absolute base for Location headers, e.g. https://registry.example.com. */
    Optional<String> host();

    /** Path the API is served under, e.g. /registry (so /registry/v2/). */
    Optional<String> prefix();

    /** HMAC key for upload URLs; the same on every replica. */
    Optional<String> secret();

    @WithDefault("false")
    boolean relativeurls();
}
