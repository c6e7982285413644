package dev.berth.registry;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Running digests of uploads between their requests, in this process. A chunk that arrives here
 * continues its digest; one that arrives at another replica (or after a restart) finds none, and the
 * upload is hashed again from storage when it completes, so nothing depends on this memory.
 */
@ApplicationScoped
public class UploadDigests {
    /** One digest is a few hundred bytes; uploads idle longer than this are re-hashed at completion. */
    private final Cache<String, Digester> running = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterAccess(Duration.ofHours(1))
            .build();

    /** The digest of {@code uuid}'s first {@code offset} bytes, taken out of the cache; null when unknown. */
    Digester take(String uuid, long offset) {
        return running.asMap().remove(key(uuid, offset));
    }

    void keep(String uuid, Digester digester) {
        running.put(key(uuid, digester.length()), digester);
    }

    private static String key(String uuid, long offset) {
        return uuid + "@" + offset;
    }
}
