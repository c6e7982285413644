package dev.berth.auth;

import java.nio.file.Path;
import java.util.Optional;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.vertx.mutiny.core.Vertx;

/** The configured access controller, or none when the registry is open. */
public class AccessControllerProducer {
    private static final Logger LOG = Logger.getLogger(AccessControllerProducer.class);

    @Produces
    @Singleton
    Optional<AccessController> accessController(AuthConfig auth, Vertx vertx) {
        if (auth.htpasswd().isPresent()) {
            AuthConfig.Htpasswd h = auth.htpasswd().get();
            LOG.infof("auth: htpasswd %s", h.path());
            return Optional.of(new HtpasswdAccessController(h.realm(), Path.of(h.path()), vertx));
        }
        if (auth.token().isPresent()) {
            LOG.infof("auth: token, issuer %s, service %s", auth.token().get().issuer(), auth.token().get().service());
            return Optional.of(new TokenAccessController(auth.token().get()));
        }
        if (auth.silly().isPresent()) {
            LOG.warn("auth: silly is for development only: any Authorization header is accepted");
            return Optional.of(new SillyAccessController(auth.silly().get().realm(), auth.silly().get().service()));
        }
        LOG.info("auth: none; the registry is open to anyone who can reach it");
        return Optional.empty();
    }
}
