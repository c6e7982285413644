package dev.berth.notifications;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A registry event as Distribution sends it (notifications/event.go): what happened, to what, asked by
 * which request, from which registry instance. Empty fields are left out as Distribution's omitempty does.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
// serialized by Jackson in the native image too, where Quarkus registers only REST types by itself
@RegisterForReflection
public record Event(String id, String timestamp, String action, Target target, Request request, Actor actor, Source source) {

    static final String PULL = "pull";
    static final String PUSH = "push";
    static final String MOUNT = "mount";
    static final String DELETE = "delete";

    /** What the event is about: a manifest, a blob or a tag in a repository. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Target(String mediaType, Long size, String digest, Long length, String repository,
            @JsonProperty("fromRepository") String fromRepository, String url, String tag, List<Descriptor> references) {
    }

    /** A descriptor a manifest references (with {@code notifications.events.includereferences}). */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Descriptor(String mediaType, long size, String digest) {
    }

    /** Distribution always writes id, method and useragent, even empty. */
    @RegisterForReflection
    public record Request(String id, @JsonInclude(JsonInclude.Include.NON_EMPTY) String addr,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) String host, String method, String useragent) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Actor(String name) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Source(String addr, @JsonProperty("instanceID") String instanceId) {
    }

    /** Distribution's envelope: {@code {"events": [...]}}, sent with {@link #MEDIA_TYPE}. */
    @RegisterForReflection
    public record Envelope(List<Event> events) {
        public static final String MEDIA_TYPE = "application/vnd.docker.distribution.events.v1+json";
    }
}
