package dev.berth.auth;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import dev.berth.http.ErrorReply;
import dev.berth.http.Routes;
import dev.berth.http.Routes.Stage;
import dev.berth.registry.Names;
import dev.berth.registry.RegistryException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Authorizes every {@code /v2/} request before any resource runs, so nothing (a CloudFront signed
 * URL included) is answered to a caller without the access. Runs after the HTTP pipeline's prefix
 * and header handling.
 */
@ApplicationScoped
public class AuthFilter {
    @Inject
    Optional<AccessController> controller;
    @Inject
    AuthFailures failures;

    void install(@Observes Router router) {
        if (controller.isEmpty()) {
            return;
        }
        AccessController access = controller.get();
        router.route("/v2/*").order(Stage.AUTH.order()).handler(ctx -> {
            String path = ctx.normalizedPath();
            List<Access> needed = RequiredAccess.of(ctx.request().method(), path);
            if (needed == null) {
                // fail closed: a path whose access cannot be told is answered here, as Distribution's router does
                ctx.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8").end("404 page not found\n");
                return;
            }
            String from = ctx.request().getParam("from");
            boolean mount = ctx.request().getParam("mount") != null && from != null && isName(from);
            ctx.request().pause();
            access.authorize(ctx.request(), needed).subscribe().with(grants -> {
                if (!grants.subject().isEmpty()) {
                    ctx.put(Routes.ACTOR, grants.subject());
                }
                if (mount && !grants.allows(RequiredAccess.mountSource(from))) {
                    ctx.put(Routes.MOUNT_DENIED, Boolean.TRUE);
                }
                ctx.request().resume();
                ctx.next();
            }, failure -> refuse(ctx, failure, failures));
        });
    }

    private static boolean isName(String name) {
        try {
            Names.repository(name);
            return true;
        } catch (RegistryException e) {
            return false;
        }
    }

    private static void refuse(RoutingContext ctx, Throwable failure, AuthFailures failures) {
        if (failure instanceof AuthChallenge c) {
            failures.count(ctx.request(), c);
            var details = c.needed().stream().map(a -> Map.of("Type", a.type(), "Name", a.name(), "Action", a.action())).toList();
            ctx.response().putHeader("WWW-Authenticate", c.wwwAuthenticate());
            ErrorReply.of(401, c.code(), c.getMessage(), details.isEmpty() ? null : details).send(ctx.response());
        } else {
            // an unexpected failure still answers in the OCI format, not Vert.x's plain 500
            ErrorReply.of(failure).send(ctx.response());
        }
    }
}
