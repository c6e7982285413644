package dev.berth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.berth.config.OptionsValidator;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** What a native executable needs that the JVM does not, checked on the JVM (CI builds no executable). */
class NativeReadinessTest {
    private static final String SERVICES = "META-INF/services/" + OptionsValidator.class.getName();

    /**
     * Quarkus turns off native-image's own service loading, so a provider that is not registered stops
     * a native executable at startup ("Provider ... not found").
     */
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

    /**
     * Caffeine loads its generated cache and node classes by name; quarkus-caffeine registers those of the
     * caches quarkus-cache builds (application.properties), not those a raw builder picks
     * ({@code ClassNotFoundException: ...PSAMS} in the native executable).
     */
    @Test
    void cachesAreQuarkusCachesNotRawCaffeineBuilders() throws IOException {
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            List<Path> raw = sources.filter(p -> p.toString().endsWith(".java")).filter(p -> {
                try {
                    return Files.readString(p).contains("com.github.benmanes.caffeine");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
            assertTrue(raw.isEmpty(), "raw Caffeine in " + raw);
        }
    }

    private static List<String> providers() throws IOException {
        try (InputStream in = NativeReadinessTest.class.getClassLoader().getResourceAsStream(SERVICES)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        }
    }
}
