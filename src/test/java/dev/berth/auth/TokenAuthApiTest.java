package dev.berth.auth;

import static dev.berth.auth.Http.anonymous;
import static dev.berth.auth.Http.bearer;
import static dev.berth.auth.Http.manifest;
import static dev.berth.auth.Http.pushBlob;
import static dev.berth.auth.Http.randomBytes;
import static dev.berth.auth.Http.repo;
import static dev.berth.auth.Http.sha256;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

import dev.berth.testsupport.TokenIssuer;
import dev.berth.testsupport.TokenIssuer.Signer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/** {@code auth.token} over HTTP: challenges, token verification, and the access each request needs. */
@QuarkusTest
@TestProfile(TokenAuthProfile.class)
class TokenAuthApiTest {
    static final String CHALLENGE = "Bearer realm=\"" + TokenAuthProfile.REALM + "\",service=\"" + TokenIssuer.SERVICE + "\"";
    final TokenIssuer issuer = TokenIssuer.shared();

    private String pull(String repo) {
        return issuer.token().repository(repo, "pull").sign();
    }

    private String pushPull(String repo) {
        return issuer.token().repository(repo, "pull", "push").sign();
    }

    /** 401, the exact challenge, and the OCI body with {@code code} and the accesses needed as detail. */
    private static void assertRefused(Response r, String challenge, String code, List<Map<String, String>> detail) {
        r.then().statusCode(401)
                .header("WWW-Authenticate", equalTo(challenge))
                .header("Content-Type", startsWith("application/json"))
                .body("errors[0].code", equalTo(code));
        if (detail != null) {
            r.then().body("errors[0].detail", equalTo(detail));
        }
    }

    private static Map<String, String> access(String type, String name, String action) {
        return Map.of("Type", type, "Name", name, "Action", action);
    }

    @Test
    void withoutTokenEveryRouteIsChallengedWithItsScope() {
        assertRefused(anonymous().get("/v2/"), CHALLENGE, "UNAUTHORIZED", null);
        assertRefused(anonymous().get("/v2/a/b/manifests/latest"), CHALLENGE + ",scope=\"repository:a/b:pull\"", "UNAUTHORIZED",
                List.of(access("repository", "a/b", "pull")));
        anonymous().head("/v2/a/b/blobs/sha256:" + "0".repeat(64)).then().statusCode(401)
                .header("WWW-Authenticate", equalTo(CHALLENGE + ",scope=\"repository:a/b:pull\""));
        assertRefused(anonymous().post("/v2/a/b/blobs/uploads/"), CHALLENGE + ",scope=\"repository:a/b:pull,push\"", "UNAUTHORIZED",
                List.of(access("repository", "a/b", "pull"), access("repository", "a/b", "push")));
        assertRefused(anonymous().delete("/v2/a/b/manifests/sha256:" + "0".repeat(64)), CHALLENGE + ",scope=\"repository:a/b:delete\"",
                "UNAUTHORIZED", List.of(access("repository", "a/b", "delete")));
        assertRefused(anonymous().get("/v2/_catalog"), CHALLENGE + ",scope=\"registry:catalog:*\"", "UNAUTHORIZED",
                List.of(access("registry", "catalog", "*")));
        // a Basic header is no bearer token
        assertRefused(Http.basic("u", "p").get("/v2/"), CHALLENGE, "UNAUTHORIZED", null);
    }

    @Test
    void anyValidTokenOpensTheBaseRoute() {
        bearer(issuer.token().sign()).get("/v2/").then().statusCode(200).header("Docker-Distribution-API-Version", "registry/2.0");
        bearer(pull("somewhere/else")).get("/v2/").then().statusCode(200);
    }

    @Test
    void everyTrustedWayOfNamingTheKeyIsAccepted() {
        String repo = repo("keys");
        for (Signer signer : List.of(Signer.X5C, Signer.X5C_WITH_ROOT, Signer.BUNDLE_KID, Signer.JWKS_KID, Signer.JWKS_THUMBPRINT)) {
            String token = issuer.token().signer(signer).repository(repo, "pull").sign();
            // past authorization: the repository is unknown
            bearer(token).get("/v2/" + repo + "/manifests/latest").then().log().ifValidationFails()
                    .statusCode(404).body("errors[0].code", equalTo("MANIFEST_UNKNOWN"));
        }
    }

    @Test
    void untrustworthyTokensAreInvalid() {
        String repo = repo("bad");
        String challenge = CHALLENGE + ",scope=\"repository:" + repo + ":pull\",error=\"invalid_token\"";
        String path = "/v2/" + repo + "/manifests/latest";
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("expired beyond the leeway", issuer.token().repository(repo, "pull").expires(Instant.now().minusSeconds(90)).sign());
        refused.put("not yet valid beyond the leeway", issuer.token().repository(repo, "pull").notBefore(Instant.now().plusSeconds(120)).sign());
        refused.put("wrong issuer", issuer.token().repository(repo, "pull").issuer("someone-else").sign());
        refused.put("wrong audience", issuer.token().repository(repo, "pull").audience("other.service").sign());
        refused.put("unknown key, x5c", issuer.token().repository(repo, "pull").signer(Signer.STRANGER_X5C).sign());
        refused.put("unknown key, kid", issuer.token().repository(repo, "pull").signer(Signer.STRANGER_KID).sign());
        refused.put("alg none", issuer.token().repository(repo, "pull").unsigned());
        refused.put("HS256 keyed with the public key", issuer.token().repository(repo, "pull").hmacWithPublicKey());
        String other = issuer.token().repository("elsewhere", "pull").sign();
        refused.put("tampered payload", TokenIssuer.withPayload(other,
                TokenIssuer.payloadJson(other).replace("\"elsewhere\"", "\"" + repo + "\"")));
        refused.put("not a JWT", "abc.def");
        refused.forEach((why, token) -> {
            Response r = bearer(token).get(path);
            assertEquals(401, r.statusCode(), why);
            assertEquals(challenge, r.header("WWW-Authenticate"), why);
            assertEquals("UNAUTHORIZED", r.jsonPath().getString("errors[0].code"), why);
        });
        // the tampered token really was a change of the repository only
        assertEquals(TokenIssuer.payloadJson(other).length() + repo.length() - "elsewhere".length(),
                TokenIssuer.payloadJson(refused.get("tampered payload")).length());
    }

    @Test
    void clockSkewWithinTheLeewayIsAccepted() {
        String repo = repo("leeway");
        String path = "/v2/" + repo + "/manifests/latest";
        bearer(issuer.token().repository(repo, "pull").expires(Instant.now().minusSeconds(30)).sign()).get(path).then().statusCode(404);
        bearer(issuer.token().repository(repo, "pull").notBefore(Instant.now().plusSeconds(30)).sign()).get(path).then().statusCode(404);
        bearer(issuer.token().repository(repo, "pull").audience(List.of("other.service", TokenIssuer.SERVICE)).sign()).get(path)
                .then().statusCode(404);
    }

    @Test
    void aMissingActionIsInsufficientScope() {
        String repo = repo("scope");
        byte[] layer = randomBytes(300);
        // push without pull: an upload needs both
        assertRefused(bearer(issuer.token().repository(repo, "push").sign()).post("/v2/" + repo + "/blobs/uploads/"),
                CHALLENGE + ",scope=\"repository:" + repo + ":pull,push\",error=\"insufficient_scope\"", "DENIED",
                List.of(access("repository", repo, "pull"), access("repository", repo, "push")));
        // pull only
        assertRefused(bearer(pull(repo)).contentType(Http.OCI_MANIFEST).body(manifest(layer, layer)).put("/v2/" + repo + "/manifests/v1"),
                CHALLENGE + ",scope=\"repository:" + repo + ":pull,push\",error=\"insufficient_scope\"", "DENIED", null);
        // the right actions on another repository
        assertRefused(bearer(pull(repo + "x")).get("/v2/" + repo + "/tags/list"),
                CHALLENGE + ",scope=\"repository:" + repo + ":pull\",error=\"insufficient_scope\"", "DENIED", null);
        // the right name, another type
        assertRefused(bearer(issuer.token().access("registry", repo, "pull").sign()).get("/v2/" + repo + "/tags/list"),
                CHALLENGE + ",scope=\"repository:" + repo + ":pull\",error=\"insufficient_scope\"", "DENIED", null);
    }

    @Test
    void pushAndPullWithTheRightActions() {
        String repo = repo("push");
        byte[] config = "{}".getBytes();
        byte[] layer = randomBytes(1000);
        String token = pushPull(repo);
        pushBlob(bearer(token), repo, config);
        pushBlob(bearer(token), repo, layer);
        byte[] manifest = manifest(config, layer);
        bearer(token).contentType(Http.OCI_MANIFEST).body(manifest).put("/v2/" + repo + "/manifests/v1").then().statusCode(201)
                .header("Docker-Content-Digest", sha256(manifest));
        byte[] got = bearer(pull(repo)).accept(Http.OCI_MANIFEST).get("/v2/" + repo + "/manifests/v1").then().statusCode(200)
                .header("Docker-Content-Digest", sha256(manifest)).extract().asByteArray();
        assertArrayEquals(manifest, got);
        assertArrayEquals(layer, bearer(pull(repo)).get("/v2/" + repo + "/blobs/" + sha256(layer)).then().statusCode(200)
                .extract().asByteArray());
        bearer(issuer.token().signer(Signer.BUNDLE_KID).repository(repo, "*").sign()).get("/v2/" + repo + "/tags/list")
                .then().statusCode(200).body("tags", equalTo(List.of("v1")));
    }

    @Test
    void catalogNeedsRegistryCatalogStar() {
        String repo = repo("catalog");
        pushBlob(bearer(pushPull(repo)), repo, randomBytes(10));
        byte[] config = "{}".getBytes();
        pushBlob(bearer(pushPull(repo)), repo, config);
        bearer(pushPull(repo)).contentType(Http.OCI_MANIFEST).body(manifest(config, config)).put("/v2/" + repo + "/manifests/v1")
                .then().statusCode(201);
        assertRefused(bearer(pull(repo)).get("/v2/_catalog"),
                CHALLENGE + ",scope=\"registry:catalog:*\",error=\"insufficient_scope\"", "DENIED", List.of(access("registry", "catalog", "*")));
        assertRefused(bearer(issuer.token().access("registry", "catalog", "pull").sign()).get("/v2/_catalog"),
                CHALLENGE + ",scope=\"registry:catalog:*\",error=\"insufficient_scope\"", "DENIED", null);
        bearer(issuer.token().access("registry", "catalog", "*").sign()).get("/v2/_catalog?n=1000").then().statusCode(200)
                .body("repositories", hasItem(repo));
    }

    @Test
    void mountWithoutPullOnTheSourceBecomesAnUpload() {
        String source = repo("mount-src");
        String target = repo("mount-dst");
        byte[] layer = randomBytes(2000);
        String digest = pushBlob(bearer(pushPull(source)), source, layer);
        String mountPath = "/v2/" + target + "/blobs/uploads/?mount=" + digest + "&from=" + source;

        bearer(pushPull(target)).post(mountPath).then().statusCode(202)
                .header("Location", Matchers.containsString("/v2/" + target + "/blobs/uploads/"));
        bearer(pull(target)).head("/v2/" + target + "/blobs/" + digest).then().statusCode(404);

        String both = issuer.token().repository(target, "pull", "push").repository(source, "pull").sign();
        bearer(both).post(mountPath).then().statusCode(201).header("Docker-Content-Digest", digest)
                .header("Location", Matchers.endsWith("/v2/" + target + "/blobs/" + digest));
        assertArrayEquals(layer, bearer(pull(target)).get("/v2/" + target + "/blobs/" + digest).then().statusCode(200)
                .extract().asByteArray());
    }

    @Test
    void deleteNeedsTheDeleteAction() {
        String repo = repo("delete");
        byte[] config = "{}".getBytes();
        String token = pushPull(repo);
        pushBlob(bearer(token), repo, config);
        byte[] manifest = manifest(config, config);
        bearer(token).contentType(Http.OCI_MANIFEST).body(manifest).put("/v2/" + repo + "/manifests/v1").then().statusCode(201);
        String path = "/v2/" + repo + "/manifests/" + sha256(manifest);
        assertRefused(bearer(issuer.token().repository(repo, "pull", "push").sign()).delete(path),
                CHALLENGE + ",scope=\"repository:" + repo + ":delete\",error=\"insufficient_scope\"", "DENIED",
                List.of(access("repository", repo, "delete")));
        bearer(pull(repo)).get(path).then().statusCode(200);
        bearer(issuer.token().repository(repo, "delete").sign()).delete(path).then().statusCode(202);
        bearer(pull(repo)).get(path).then().statusCode(404);
    }

    @Test
    void namesWithRouteWordsAreAuthorizedAsTheRoutesResolveThem() {
        for (String repo : List.of(repo("acme/blobs"), repo("acme/manifests"), repo("acme/blobs/uploads"), repo("x/tags/list/y"))) {
            byte[] config = randomBytes(50);
            String token = pushPull(repo);
            pushBlob(bearer(token), repo, config);
            byte[] manifest = manifest(config, config);
            bearer(token).contentType(Http.OCI_MANIFEST).body(manifest).put("/v2/" + repo + "/manifests/v1").then().statusCode(201);
            bearer(pull(repo)).get("/v2/" + repo + "/manifests/v1").then().statusCode(200).header("Docker-Content-Digest", sha256(manifest));
            bearer(pull(repo)).get("/v2/" + repo + "/tags/list").then().statusCode(200).body("name", equalTo(repo));
            // a grant on the shorter name the path starts with is not enough
            String parent = repo.substring(0, repo.indexOf('/'));
            bearer(pull(parent)).get("/v2/" + repo + "/manifests/v1").then().statusCode(401)
                    .header("WWW-Authenticate", Matchers.containsString("scope=\"repository:" + repo + ":pull\""));
        }
    }

    /** A refused request's body is not read; the connection still answers the next request, and a paused body is delivered whole. */
    @Test
    void largeBodiesRefusedAndAccepted() {
        String repo = repo("large");
        byte[] big = randomBytes(6 * 1024 * 1024);
        String location = bearer(pushPull(repo)).post("/v2/" + repo + "/blobs/uploads/").then().statusCode(202).extract().header("Location");
        String path = location.replaceFirst("^https?://[^/]+", "");
        bearer(pull(repo)).contentType("application/octet-stream").body(big).patch(path).then().statusCode(401)
                .header("WWW-Authenticate", Matchers.containsString("error=\"insufficient_scope\""));
        anonymous().contentType("application/octet-stream").body(big).patch(path).then().statusCode(401);
        String next = bearer(pushPull(repo)).contentType("application/octet-stream").body(big).patch(path).then().statusCode(202)
                .header("Range", "0-" + (big.length - 1)).extract().header("Location");
        String digest = sha256(big);
        String put = next.replaceFirst("^https?://[^/]+", "");
        bearer(pushPull(repo)).put(put + (put.contains("?") ? "&" : "?") + "digest=" + digest).then().statusCode(201)
                .header("Docker-Content-Digest", digest);
        assertArrayEquals(big, bearer(pull(repo)).get("/v2/" + repo + "/blobs/" + digest).then().statusCode(200).extract().asByteArray());
    }

    /** Authorization and routing see the same name: an encoded slash cannot reach a repository the token does not name. */
    @Test
    void percentEncodedNamesAreAuthorizedAsTheyAreServed() {
        String repo = repo("encoded");
        byte[] config = randomBytes(40);
        pushBlob(bearer(pushPull(repo)), repo, config);
        byte[] manifest = manifest(config, config);
        bearer(pushPull(repo)).contentType(Http.OCI_MANIFEST).body(manifest).put("/v2/" + repo + "/manifests/v1").then().statusCode(201);
        String encoded = repo.replace("/", "%2F");
        // a%2Fb is served as a/b (as Distribution does): it needs a grant on a/b, not on the text "a%2Fb"
        bearer(pull(encoded)).get("/v2/" + encoded + "/manifests/v1").then().statusCode(401)
                .header("WWW-Authenticate", Matchers.containsString("scope=\"repository:" + repo + ":pull\""));
        bearer(pull(repo)).get("/v2/" + encoded + "/manifests/v1").then().statusCode(200).header("Docker-Content-Digest", sha256(manifest));
        bearer(pull(encoded)).contentType(Http.OCI_MANIFEST).body(manifest).put("/v2/" + encoded + "/manifests/v2").then().statusCode(401);
        String sneaky = repo.substring(0, repo.indexOf('/')) + "%2F..%2F" + repo;
        Response traversal = bearer(pull(sneaky)).get("/v2/" + sneaky + "/manifests/v1");
        Assertions.assertNotEquals(200, traversal.statusCode(), sneaky);
    }

    /** Path variants the routes may still serve (trailing slash, doubled slashes, dot segments) never skip authorization. */
    @Test
    void pathVariantsDoNotSkipAuthorization() {
        String repo = repo("variants");
        byte[] config = randomBytes(40);
        String digest = pushBlob(bearer(pushPull(repo)), repo, config);
        byte[] manifest = manifest(config, config);
        bearer(pushPull(repo)).contentType(Http.OCI_MANIFEST).body(manifest).put("/v2/" + repo + "/manifests/v1").then().statusCode(201);
        String other = issuer.token().repository("someone/else", "pull", "push", "delete").access("registry", "catalog", "*").sign();
        for (String path : List.of("/v2/" + repo + "/tags/list/", "/v2/" + repo + "/manifests/v1/", "/v2/" + repo + "/blobs/" + digest + "/",
                "/v2//" + repo + "/tags/list", "/v2/" + repo + "//tags/list", "//v2/" + repo + "/tags/list",
                "/v2/./" + repo + "/tags/list", "/v2/x/../" + repo + "/tags/list", "/v2/" + repo + "/tags/./list",
                "/v2/" + repo + "/%74ags/list", "/v2/" + repo.replace("/", "/./") + "/manifests/v1")) {
            Response r = bearer(other).get(path);
            Assertions.assertNotEquals(200, r.statusCode(), path + " served with a token for another repository");
        }
        // the same variants with the right grant are served as the plain path
        bearer(pull(repo)).get("/v2/" + repo + "/tags/list/").then().statusCode(200).body("name", equalTo(repo));
        bearer(pull(repo)).get("/v2//" + repo + "/tags/list").then().statusCode(200).body("name", equalTo(repo));
        // a path that is no route is answered before any resource, whatever the token grants
        bearer(other).get("/v2/" + repo + "/nothing/here").then().statusCode(404);
        anonymous().get("/v2/" + repo + "/nothing/here").then().statusCode(404);
    }
}
