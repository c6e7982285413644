package dev.berth.auth;

import static dev.berth.auth.Http.anonymous;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import dev.berth.testsupport.TokenIssuer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@code autoredirect: true}: the challenge's realm is the request's own host plus autoredirectpath. */
@QuarkusTest
@TestProfile(TokenAuthProfile.AutoRedirect.class)
class TokenAutoRedirectApiTest {

    @Test
    void realmIsDerivedFromTheRequestHost() {
        anonymous().header("Host", "registry.example.test:5443").get("/v2/").then().statusCode(401)
                .header("WWW-Authenticate", equalTo("Bearer realm=\"https://registry.example.test:5443/auth/issue\",service=\""
                        + TokenIssuer.SERVICE + "\""));
        anonymous().header("Host", "registry.example.test").header("X-Forwarded-Proto", "http").get("/v2/a/manifests/x").then()
                .statusCode(401).header("WWW-Authenticate", equalTo("Bearer realm=\"http://registry.example.test/auth/issue\",service=\""
                        + TokenIssuer.SERVICE + "\",scope=\"repository:a:pull\""));
        anonymous().header("Authorization", "Bearer " + TokenIssuer.shared().token().sign()).get("/v2/").then().statusCode(200);
    }
}
