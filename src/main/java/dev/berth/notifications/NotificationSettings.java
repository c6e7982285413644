package dev.berth.notifications;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.berth.config.OptionReader;

/** The {@code notifications} section, read and checked (every error names its key). */
public record NotificationSettings(boolean includeReferences, List<Endpoint> endpoints) {
    static final Set<String> ACTIONS = Set.of("pull", "push", "mount", "delete");
    /** Distribution's defaults for an endpoint. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    static final int DEFAULT_THRESHOLD = 10;
    static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);

    /** One endpoint: where events go, and which are left out. */
    public record Endpoint(String name, URI url, Map<String, List<String>> headers, Duration timeout, int threshold, Duration backoff,
            Set<String> ignoredMediaTypes, Set<String> ignoredActions) {

        /** Distribution's ignoredSink: an event is left out for its target's media type or its action. */
        boolean ignores(String mediaType, String action) {
            return (mediaType != null && ignoredMediaTypes.contains(mediaType)) || ignoredActions.contains(action);
        }
    }

    /** Reads {@code notifications.*}; disabled endpoints are checked, then left out. */
    public static NotificationSettings read(OptionReader notifications) {
        boolean references = notifications.bool("events.includereferences", false);
        List<Endpoint> endpoints = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; notifications.has("endpoints[" + i + "]"); i++) {
            OptionReader e = notifications.section("endpoints[" + i + "]");
            String name = e.required("name");
            if (!names.add(name)) {
                throw e.fail("name", "another endpoint has this name", name);
            }
            URI url = e.httpUrl("url").orElseThrow(() -> e.fail("url", "required"));
            Duration timeout = positive(e, "timeout", DEFAULT_TIMEOUT);
            int threshold = e.number("threshold", 0, 0, 1_000_000);
            Duration backoff = positive(e, "backoff", DEFAULT_BACKOFF);
            Set<String> mediaTypes = new LinkedHashSet<>(e.list("ignoredmediatypes"));
            mediaTypes.addAll(e.list("ignore.mediatypes"));
            Set<String> actions = new LinkedHashSet<>(e.list("ignore.actions"));
            for (String action : actions) {
                if (!ACTIONS.contains(action)) {
                    throw e.fail("ignore.actions", "one of pull, push, mount, delete", action);
                }
            }
            Map<String, List<String>> headers = e.section("headers").valuesByName();
            if (!e.bool("disabled", false)) {
                // as in Distribution, zero means the default
                endpoints.add(new Endpoint(name, url, headers, timeout, threshold <= 0 ? DEFAULT_THRESHOLD : threshold, backoff,
                        Set.copyOf(mediaTypes), Set.copyOf(actions)));
            }
        }
        return new NotificationSettings(references, List.copyOf(endpoints));
    }

    /** A duration where Distribution takes zero (or nothing) for its default. */
    private static Duration positive(OptionReader e, String key, Duration fallback) {
        Duration d = e.duration(key, Duration.ZERO, Duration.ZERO, Duration.ofHours(1));
        return d.isZero() ? fallback : d;
    }
}
