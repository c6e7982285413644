package dev.berth.auth;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** The {@code auth} section: one of htpasswd, token or silly (checked before start). */
@ConfigMapping(prefix = "auth")
public interface AuthConfig {

    Optional<Htpasswd> htpasswd();

    Optional<Token> token();

    Optional<Silly> silly();

    interface Htpasswd {
        String realm();

        String path();
    }

    interface Token {
        String realm();

        String service();

        String issuer();

        Optional<String> rootcertbundle();

        Optional<String> jwks();

        Optional<List<String>> signingalgorithms();

        /** Defaults (false, /auth/token/) are applied by the controller: a default here would make the group always present. */
        Optional<Boolean> autoredirect();

        Optional<String> autoredirectpath();
    }

    interface Silly {
        String realm();

        String service();
    }
}
