package dev.berth.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Properties;

import io.quarkus.cache.Cache;
import io.quarkus.cache.runtime.caffeine.CaffeineCacheImpl;
import io.quarkus.cache.runtime.caffeine.CaffeineCacheInfo;

/** A quarkus-cache cache as application.properties declares it (bound and expiry), for code tests build without Quarkus. */
public final class DeclaredCaches {
    private DeclaredCaches() {
    }

    public static Cache standalone(String name) {
        Properties declared = new Properties();
        try (InputStream in = DeclaredCaches.class.getClassLoader().getResourceAsStream("application.properties")) {
            declared.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String prefix = "quarkus.cache.caffeine.\"" + name + "\".";
        String size = declared.getProperty(prefix + "maximum-size");
        if (size == null) {
            throw new IllegalArgumentException("no cache " + name + " declared in application.properties");
        }
        CaffeineCacheInfo info = new CaffeineCacheInfo();
        info.name = name;
        info.maximumSize = Long.parseLong(size);
        info.expireAfterWrite = duration(declared.getProperty(prefix + "expire-after-write"));
        info.expireAfterAccess = duration(declared.getProperty(prefix + "expire-after-access"));
        return new CaffeineCacheImpl(info, false);
    }

    /** Quarkus' short form ({@code 5M}, {@code 1H}, {@code 10S}). */
    private static Duration duration(String value) {
        return value == null ? null : Duration.parse("PT" + value);
    }
}
