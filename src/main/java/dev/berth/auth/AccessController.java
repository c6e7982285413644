package dev.berth.auth;

import java.util.List;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** Decides who the caller is and what they may do (Distribution's auth.AccessController). */
public interface AccessController {

    /**
     * The caller's grants when they hold every access in {@code needed} (an empty list: any valid
     * credential); fails with {@link AuthChallenge} otherwise. Never blocks the calling thread.
     */
    Uni<Grants> authorize(HttpServerRequest request, List<Access> needed);
}
