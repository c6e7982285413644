package dev.berth.http;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;

/**
 * {@code http.h2c.enabled} (Distribution 3, off by default): HTTP/2 without TLS, by prior knowledge or
 * by upgrade. Vert.x serves it unless told not to, and Quarkus has no setting for it.
 */
@ApplicationScoped
public class CleartextHttp2 implements HttpServerOptionsCustomizer {
    private final boolean enabled;

    CleartextHttp2(@ConfigProperty(name = "berth.http.h2c", defaultValue = "false") boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setHttp2ClearTextEnabled(enabled);
    }
}
