package dev.berth.logging;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import dev.berth.http.RequestHook;
import dev.berth.http.Routes;
import dev.berth.http.Routes.Stage;
import io.vertx.ext.web.RoutingContext;

/**
 * Gives every request an id: the client's (or a proxy's) {@code X-Request-Id} when it is a sane one,
 * else a new UUID; it is returned on the response, logged by the access log and sent in notifications.
 */
@ApplicationScoped
public class RequestIds implements RequestHook {
    public static final String HEADER = "X-Request-Id";
    /** Longer ids, or ones with characters outside printable ASCII, are replaced: they end up in log lines. */
    private static final int MAX_LENGTH = 200;

    @Override
    public Stage stage() {
        return Stage.REQUEST;
    }

    @Override
    public void begin(RoutingContext ctx) {
        String id = ctx.request().getHeader(HEADER);
        ctx.put(Routes.REQUEST_ID, acceptable(id) ? id : newId());
    }

    /** On every routing: a reroute ({@code http.prefix}) clears the response's headers. */
    @Override
    public boolean admit(RoutingContext ctx) {
        ctx.response().headers().set(HEADER, ctx.<String>get(Routes.REQUEST_ID));
        return true;
    }

    /**
     * A random (version 4) UUID from the thread's own generator: {@code UUID.randomUUID()} draws on the
     * shared SecureRandom on every request, and an id that only correlates log lines needs no secrecy.
     */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    static boolean acceptable(String id) {
        return id != null && !id.isEmpty() && id.length() <= MAX_LENGTH && id.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '"');
    }
}
