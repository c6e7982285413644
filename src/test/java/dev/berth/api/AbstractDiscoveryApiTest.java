package dev.berth.api;

import static dev.berth.api.RegistryClient.API_VERSION;
import static dev.berth.api.RegistryClient.OCI_MANIFEST;
import static dev.berth.api.RegistryClient.assertError;
import static dev.berth.api.RegistryClient.parse;
import static dev.berth.api.RegistryClient.pathOf;
import static dev.berth.api.RegistryClient.pushBlob;
import static dev.berth.api.RegistryClient.pushImage;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;
import static dev.berth.api.RegistryClient.sha256;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.berth.config.StorageConfig;
import dev.berth.storage.StorageDriver;
import io.restassured.response.Response;

/**
 * The base endpoint, headers on every response, tags list, catalog, repository-name validation and
 * path traversal; also that the profile's driver is the one running.
 */
abstract class AbstractDiscoveryApiTest {

    @Inject
    StorageDriver driver;
    @Inject
    StorageConfig storage;

    @Test
    void theProfilesDriverIsRunning() {
        assertEquals(DriverUnderTest.expectedDriver(), driver.name(), "storage driver built from berth.config");
        DriverUnderTest.localRoot().ifPresent(root -> assertEquals(root.toString(),
                storage.filesystem().orElseThrow().rootdirectory(), "rootdirectory from the profile"));
    }

    @Test
    void baseEndpointIs200WithTheApiVersionAndConfiguredHeaders() {
        request().get("/v2/").then().statusCode(200)
                .header(API_VERSION, "registry/2.0")
                .header("X-Content-Type-Options", "nosniff");
        request().head("/v2/").then().statusCode(200).header(API_VERSION, "registry/2.0");
    }

    @Test
    void errorsAndUnknownRoutesCarryTheApiVersionAndConfiguredHeaders() {
        Response unknownBlob = request().get("/v2/" + repo("x") + "/blobs/" + sha256(new byte[1]));
        assertError(unknownBlob, 404, "BLOB_UNKNOWN");
        assertEquals("nosniff", unknownBlob.header("X-Content-Type-Options"));

        Response unknownRoute = request().get("/v2/" + repo("x") + "/no-such-endpoint");
        assertEquals(404, unknownRoute.statusCode());
        assertEquals("registry/2.0", unknownRoute.header(API_VERSION));
        assertEquals("nosniff", unknownRoute.header("X-Content-Type-Options"));
        assertError(unknownRoute, 404, "UNSUPPORTED");

        Response outsideV2 = request().get("/not-the-api");
        assertEquals(404, outsideV2.statusCode());
        assertEquals("registry/2.0", outsideV2.header(API_VERSION));

        // Distribution answers 405 here; Berth's router answers 404: both UNSUPPORTED in the OCI format
        Response wrongMethod = request().post("/v2/" + repo("x") + "/tags/list");
        assertTrue(wrongMethod.statusCode() == 404 || wrongMethod.statusCode() == 405, wrongMethod::asString);
        assertError(wrongMethod, wrongMethod.statusCode(), "UNSUPPORTED");
    }

    /** A bad escape in the query is the client's error, answered like any other (not an empty 400). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "tags/list?n=%zz", "tags/list?last=%", "tags/list?n=1&last=%4", "upload?_state=%%%%",
            "upload?_state=abc&digest=sha256%3", "blobs/uploads/?mount=%g1&from=a", "referrers?artifactType=%%",
            "catalog?last=%", "catalog?n=%zz", "blob?x=%" })
    void malformedPercentEncodingInTheQueryIs400InTheOciFormat(String target) throws IOException {
        String repo = repo("query");
        RegistryClient.Pushed image = pushImage(repo, "v1", OCI_MANIFEST);
        String path = switch (target.substring(0, target.indexOf('?'))) {
            case "upload" -> URI.create(RegistryClient.startUpload(repo)).getRawPath();
            case "referrers" -> "/v2/" + repo + "/referrers/" + image.digest();
            case "catalog" -> "/v2/_catalog";
            case "blob" -> "/v2/" + repo + "/blobs/" + parse(image.content()).path("config").path("digest").asText();
            default -> "/v2/" + repo + "/" + target.substring(0, target.indexOf('?'));
        };
        String query = target.substring(target.indexOf('?'));
        for (String method : List.of("GET", "HEAD", "PUT", "PATCH", "DELETE", "POST")) {
            try (RawHttp http = RawHttp.connect(Duration.ofSeconds(15))) {
                RawHttp.Head head = http.send(method, path + query, "Content-Length: 0").head();
                assertEquals("nosniff", head.header("X-Content-Type-Options"), "configured headers on " + method + " " + path + query);
                if (method.equals("HEAD")) {
                    assertEquals(400, head.status(), () -> "HEAD " + path + query);
                    assertEquals("registry/2.0", head.header(API_VERSION));
                    continue;
                }
                JsonNode body = RegistryClient.assertError(head, http.body(head.contentLength()).bytes(), 400, "UNSUPPORTED");
                assertTrue(body.path("errors").get(0).path("message").asText().contains("query"), body::toString);
            }
        }
        // a well-formed escape is still fine
        request().get("/v2/" + repo + "/tags/list?last=v%30").then().statusCode(200);
    }

    /** Bearer tokens with hundreds of grants reach 25–30 KiB: such headers must be taken. */
    @Test
    void requestHeadersOf32KiBAreAccepted() throws Exception {
        String big = "x".repeat(32 * 1024 - 100);
        request().header("X-Large", big).get("/v2/").then().statusCode(200).header(API_VERSION, "registry/2.0");
        // several headers that add up, as a token plus cookies would
        request().header("Authorization", "Bearer " + "t".repeat(20 * 1024)).header("X-More", "m".repeat(11 * 1024))
                .get("/v2/").then().statusCode(200);
        // HTTP/2's own limit: PrefixApiTest, whose profile turns h2c on
    }

    // ---- tags list ---------------------------------------------------------------------------

    private static List<String> tags(Response r) {
        List<String> out = new ArrayList<>();
        parse(r.asByteArray()).path("tags").forEach(t -> out.add(t.asText()));
        return out;
    }

    @Test
    void tagsListIsSortedAndPaged() {
        String repo = repo("tags");
        RegistryClient.Pushed image = pushImage(repo, "v3", OCI_MANIFEST);
        for (String tag : List.of("v1", "v2", "latest", "a-tag")) {
            RegistryClient.pushManifest(repo, tag, OCI_MANIFEST, image.content());
        }
        Response all = request().get("/v2/" + repo + "/tags/list");
        all.then().statusCode(200).header("Link", nullValue()).body("name", equalTo(repo));
        assertEquals(List.of("a-tag", "latest", "v1", "v2", "v3"), tags(all));

        Response first = request().get("/v2/" + repo + "/tags/list?n=2");
        first.then().statusCode(200);
        assertEquals(List.of("a-tag", "latest"), tags(first));
        assertEquals("</v2/" + repo + "/tags/list?n=2&last=latest>; rel=\"next\"", first.header("Link"));

        Response second = request().get(linkPath(first));
        assertEquals(List.of("v1", "v2"), tags(second));
        Response third = request().get(linkPath(second));
        assertEquals(List.of("v3"), tags(third));
        third.then().header("Link", nullValue());

        assertEquals(List.of("v2", "v3"), tags(request().get("/v2/" + repo + "/tags/list?last=v1")));
        assertEquals(List.of(), tags(request().get("/v2/" + repo + "/tags/list?n=0")));
    }

    static String linkPath(Response r) {
        String link = r.header("Link");
        assertTrue(link != null && link.startsWith("<") && link.endsWith(">; rel=\"next\""), () -> "Link: " + link);
        return pathOf(link.substring(1, link.indexOf('>')));
    }

    @Test
    void tagsOfAnUnknownRepositoryIs404NameUnknown() {
        assertError(request().get("/v2/" + repo("unknown") + "/tags/list"), 404, "NAME_UNKNOWN");
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(strings = { "abc", "-1", "1.5", "99999999999999999999" })
    void invalidPageSizeIs400PaginationNumberInvalid(String n) {
        String repo = repo("tags");
        pushImage(repo, "v1", OCI_MANIFEST);
        assertError(request().get("/v2/" + repo + "/tags/list?n=" + n), 400, "PAGINATION_NUMBER_INVALID");
        assertError(request().get("/v2/_catalog?n=" + n), 400, "PAGINATION_NUMBER_INVALID");
    }

    // ---- catalog -----------------------------------------------------------------------------

    private static List<String> repositories(Response r) {
        List<String> out = new ArrayList<>();
        parse(r.asByteArray()).path("repositories").forEach(t -> out.add(t.asText()));
        return out;
    }

    @Test
    void catalogListsRepositoriesWithManifestsAndPages() {
        String base = "zz-catalog-" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        for (String name : List.of("c", "a", "b/nested")) {
            pushImage(base + "/" + name, "v1", OCI_MANIFEST);
        }
        pushBlob(base + "/blob-only", randomBytes(8)); // no manifest: not a repository yet

        List<String> all = repositories(request().get("/v2/_catalog"));
        assertTrue(all.containsAll(List.of(base + "/a", base + "/b/nested", base + "/c")), () -> "catalog " + all);
        assertFalse(all.contains(base + "/blob-only"), () -> "catalog " + all);
        assertEquals(all.stream().sorted().toList(), all, "sorted");

        Response first = request().get("/v2/_catalog?n=2&last=" + base);
        first.then().statusCode(200);
        assertEquals(List.of(base + "/a", base + "/b/nested"), repositories(first));
        assertEquals("</v2/_catalog?n=2&last=" + base + "%2Fb%2Fnested>; rel=\"next\"", first.header("Link"));
        Response second = request().get(linkPath(first));
        assertEquals(base + "/c", repositories(second).get(0));
    }

    // ---- names and traversal -----------------------------------------------------------------

    /** Invalid names, written as they go on the wire. */
    static final String[] INVALID_NAMES = {
            "Upper/case", "-leading", "trailing-", "a_-b", "a/-b", "a..b", "a/.hidden",
            "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/pwned", "a%2F..%2F..%2F..%2F..%2F..%2F..%2Fpwned",
            "a/%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/pwned", "..%2F..%2F..%2F..%2F..%2F..%2Fpwned", "a%00b",
            "a%5Cb", "a%5C..%5C..%5Cpwned", "x".repeat(256), "ab/" + "c".repeat(253), "%20a", "a:b",
    };

    /**
     * Plain dot segments and empty segments: the path is normalized before routing (RFC 3986 dot
     * segments; Distribution's router likewise cleans {@code a//b} to {@code a/b}, with a 301), so
     * these reach another, valid name or no route; they must not fail or escape, whatever they become.
     */
    static final String[] DOT_SEGMENT_NAMES = { "a/../b", "..", "a/..", "a/./b", "a//b", "../../../../../../../pwned" };

    @Test
    void invalidRepositoryNamesAreRefusedOnEveryEndpointAndNothingEscapesTheStorageRoot() throws IOException {
        List<Path> before = filesOutsideRoot();
        String digest = sha256(new byte[] { 1 });
        for (String name : DOT_SEGMENT_NAMES) {
            for (Response r : List.of(request().post("/v2/" + name + "/blobs/uploads/"),
                    request().get("/v2/" + name + "/tags/list"),
                    request().contentType(OCI_MANIFEST).body("{}").put("/v2/" + name + "/manifests/latest"))) {
                assertTrue(r.statusCode() < 500, () -> "name " + name + ": " + r.statusCode() + " " + r.asString());
                if (r.statusCode() >= 400) {
                    assertError(r, r.statusCode(), r.jsonPath().getString("errors[0].code"));
                }
            }
        }
        for (String name : INVALID_NAMES) {
            check(name, request().get("/v2/" + name + "/tags/list"));
            check(name, request().get("/v2/" + name + "/blobs/" + digest));
            Response head = request().head("/v2/" + name + "/blobs/" + digest);
            assertTrue(head.statusCode() == 400 || head.statusCode() == 404, () -> "HEAD " + name + ": " + head.statusCode());
            check(name, request().delete("/v2/" + name + "/blobs/" + digest));
            check(name, request().post("/v2/" + name + "/blobs/uploads/"));
            check(name, request().body(new byte[] { 1 }).post("/v2/" + name + "/blobs/uploads/?digest=" + digest));
            check(name, request().post("/v2/" + name + "/blobs/uploads/?mount=" + digest + "&from=library/x"));
            check(name, request().get("/v2/" + name + "/blobs/uploads/" + UUID.randomUUID()));
            check(name, request().body("{}").patch("/v2/" + name + "/blobs/uploads/" + UUID.randomUUID()));
            check(name, request().get("/v2/" + name + "/manifests/latest"));
            check(name, request().contentType(OCI_MANIFEST).body("{}").put("/v2/" + name + "/manifests/latest"));
            check(name, request().delete("/v2/" + name + "/manifests/latest"));
            check(name, request().get("/v2/" + name + "/referrers/" + digest));
        }
        assertEquals(before, filesOutsideRoot(), "files created outside the storage root");
        DriverUnderTest.localRoot().ifPresent(root -> {
            List<Path> inside = walk(root).stream().filter(Files::isRegularFile).toList();
            assertFalse(inside.isEmpty(), "the filesystem profile wrote nothing to its root " + root);
            for (Path p : inside) {
                String rel = root.relativize(p).toString().replace('\\', '/');
                assertTrue(rel.startsWith("docker/registry/v2/blobs/") || rel.startsWith("docker/registry/v2/repositories/")
                        || rel.startsWith("berth/"), () -> "unexpected file in the storage root: " + rel);
                assertFalse(rel.contains("pwned"), () -> "a traversal name reached storage: " + rel);
            }
        });
    }

    /** 400 NAME_INVALID, or a 404 in the OCI error format (a path the router does not take); never 5xx. */
    private static void check(String name, Response r) {
        int status = r.statusCode();
        assertTrue(status == 400 || status == 404 || status == 405,
                () -> "name " + name + ": status " + status + " " + r.asString());
        JsonNode body = assertError(r, status, status == 400 ? "NAME_INVALID" : r.jsonPath().getString("errors[0].code"));
        assertNotEquals("UNKNOWN", body.path("errors").get(0).path("code").asText(), "name " + name);
    }

    /** Files under the working directory and the storage root's parents that are not in the root. */
    private static List<Path> filesOutsideRoot() {
        Path cwd = Path.of("").toAbsolutePath();
        Path root = DriverUnderTest.localRoot().map(Path::toAbsolutePath).orElse(null);
        List<Path> out = new ArrayList<>();
        for (Path p : walk(cwd)) {
            if (root != null && p.startsWith(root)) {
                continue;
            }
            String s = p.toString();
            if (s.contains("surefire") || s.contains("/target/test-registry-") || s.contains("/.git/")) {
                continue; // written by the build while tests run, or other runs' roots
            }
            out.add(p);
        }
        out.removeIf(p -> !Files.isRegularFile(p) && !Files.isDirectory(p));
        return out;
    }

    private static List<Path> walk(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
