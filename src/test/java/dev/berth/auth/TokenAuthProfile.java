package dev.berth.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.berth.testsupport.TokenIssuer;
import io.quarkus.test.junit.QuarkusTestProfile;

/** {@code auth.token} trusting the shared test issuer (x5c via rootcertbundle, kid, jwks file), on the in-memory driver. */
public class TokenAuthProfile implements QuarkusTestProfile {
    static final String REALM = "https://auth.example.test/token";

    /** Extra lines under {@code auth.token:}. */
    String extra() {
        return "";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        TokenIssuer issuer = TokenIssuer.shared();
        Path config = issuer.dir.resolve(getClass().getSimpleName() + ".yml");
        String yaml = """
                version: 0.1
                log:
                  level: info
                  accesslog:
                    disabled: true
                storage:
                  inmemory:
                  delete:
                    enabled: true
                http:
                  secret: test-secret
                auth:
                  token:
                    realm: %s
                    service: %s
                    issuer: %s
                    rootcertbundle: %s
                    jwks: %s
                """.formatted(REALM, TokenIssuer.SERVICE, TokenIssuer.ISSUER, issuer.bundle, issuer.jwks) + extra();
        try {
            Files.writeString(config, yaml);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.of("berth.config", config.toString());
    }

    /** {@code autoredirect: true}: the realm is the registry's own host. */
    public static class AutoRedirect extends TokenAuthProfile {
        @Override
        String extra() {
            return "    autoredirect: true\n    autoredirectpath: /auth/issue\n";
        }
    }
}
