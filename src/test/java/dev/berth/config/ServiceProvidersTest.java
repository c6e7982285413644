package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Every class ServiceLoader builds for the checks before start is registered for reflection: Quarkus
 * turns off native-image's own service loading, so an unregistered provider stops a native executable
 * at startup ("Provider ... not found").
 */
class ServiceProvidersTest {
    private static final String SERVICES = "META-INF/services/" + OptionsValidator.class.getName();

    @Test
    void everyOptionsValidatorIsRegisteredForReflection() throws Exception {
        List<String> providers = providers();
        assertFalse(providers.isEmpty(), SERVICES);
        for (String name : providers) {
            Class<?> provider = Class.forName(name);
            assertTrue(OptionsValidator.class.isAssignableFrom(provider), name);
            assertTrue(provider.isAnnotationPresent(RegisterForReflection.class), name + " needs @RegisterForReflection");
        }
    }

    private static List<String> providers() throws IOException {
        try (InputStream in = ServiceProvidersTest.class.getClassLoader().getResourceAsStream(SERVICES)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        }
    }
}
