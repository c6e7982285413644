package dev.berth.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;
import org.junit.jupiter.api.Assertions;

/**
 * The registry as a client sees it: pushes blobs and manifests, builds manifests, checks the OCI
 * error format. Requests go out exactly as written (no URL re-encoding, no charset added).
 */
final class RegistryClient {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    static final String API_VERSION = "Docker-Distribution-API-Version";

    static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final RestAssuredConfig CONFIG = RestAssured.config()
            .encoderConfig(EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));

    private RegistryClient() {
    }

    /** A request sent as written. */
    static RequestSpecification request() {
        return given().config(CONFIG).urlEncodingEnabled(false);
    }

    /** The HTTP version the server answers {@code path} in to a client offering HTTP/2 without TLS (an h2c upgrade). */
    static HttpClient.Version cleartextHttpVersion(String path) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + path)).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        assertEquals(200, response.statusCode(), path);
        return response.version();
    }

    /** A repository name no other test uses, e.g. {@code blobs/3f9a0c1d2e4b}. */
    static String repo(String prefix) {
        return prefix + "/" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    static byte[] randomBytes(int size) {
        byte[] b = new byte[size];
        RANDOM.nextBytes(b);
        return b;
    }

    static String sha256(byte[] content) {
        return digest("SHA-256", "sha256", content);
    }

    static String sha512(byte[] content) {
        return digest("SHA-512", "sha512", content);
    }

    private static String digest(String jca, String id, byte[] content) {
        try {
            return id + ":" + HexFormat.of().formatHex(MessageDigest.getInstance(jca).digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The path and query of an URL the registry handed out (Location, Link). */
    static String pathOf(String url) {
        URI uri = URI.create(url);
        return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    // ---- blobs -------------------------------------------------------------------------------

    /** POST an upload session and check the 202 answer; returns the upload's Location. */
    static String startUpload(String repo) {
        Response r = request().post("/v2/" + repo + "/blobs/uploads/");
        r.then().statusCode(202)
                .header("Location", notNullValue())
                .header("Docker-Upload-UUID", notNullValue())
                .header("Range", equalTo("0-0"));
        return r.header("Location");
    }

    /** Uploads {@code content} in one POST + PUT and checks the 201; returns its sha256 digest. */
    static String pushBlob(String repo, byte[] content) {
        String digest = sha256(content);
        String location = startUpload(repo);
        request().contentType("application/octet-stream").body(content)
                .put(location + "&digest=" + digest)
                .then().statusCode(201)
                .header("Docker-Content-Digest", digest)
                .header("Location", uriPath(equalTo("/v2/" + repo + "/blobs/" + digest)));
        return digest;
    }

    /** GET a blob and check it is exactly {@code content}. */
    static void assertBlob(String repo, String digest, byte[] content) {
        Response r = request().get("/v2/" + repo + "/blobs/" + digest);
        r.then().statusCode(200)
                .header("Docker-Content-Digest", digest)
                .header("Content-Length", String.valueOf(content.length));
        Assertions.assertArrayEquals(content, r.asByteArray(), "blob bytes");
    }

    static void assertNoBlob(String repo, String digest) {
        assertError(request().get("/v2/" + repo + "/blobs/" + digest), 404, "BLOB_UNKNOWN");
    }

    // ---- manifests ---------------------------------------------------------------------------

    /** A content descriptor. */
    record Descriptor(String mediaType, String digest, long size) {
        static Descriptor of(String mediaType, byte[] content) {
            return new Descriptor(mediaType, sha256(content), content.length);
        }

        ObjectNode json() {
            ObjectNode d = JSON.createObjectNode();
            d.put("mediaType", mediaType);
            d.put("digest", digest);
            d.put("size", size);
            return d;
        }
    }

    /** A pushed blob or manifest: its bytes and descriptor. */
    record Pushed(String mediaType, byte[] content, String digest) {
        Descriptor descriptor() {
            return new Descriptor(mediaType, digest, content.length);
        }
    }

    /** An image manifest (OCI or Docker schema 2) over {@code config} and {@code layers}. */
    static ObjectNode imageManifest(String mediaType, Descriptor config, List<Descriptor> layers) {
        ObjectNode m = JSON.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", mediaType);
        m.set("config", config.json());
        ArrayNode l = m.putArray("layers");
        layers.forEach(d -> l.add(d.json()));
        return m;
    }

    /** An index (OCI index or Docker manifest list) over {@code children}. */
    static ObjectNode index(String mediaType, List<Descriptor> children) {
        ObjectNode m = JSON.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", mediaType);
        ArrayNode l = m.putArray("manifests");
        for (Descriptor d : children) {
            ObjectNode c = d.json();
            c.putObject("platform").put("architecture", "amd64").put("os", "linux");
            l.add(c);
        }
        return m;
    }

    /** An OCI artifact manifest (empty config) pointing at {@code subject}. */
    static ObjectNode artifact(String artifactType, Descriptor subject, Map<String, String> annotations) {
        byte[] empty = "{}".getBytes();
        ObjectNode m = imageManifest(OCI_MANIFEST, new Descriptor("application/vnd.oci.empty.v1+json", sha256(empty), 2), List.of());
        if (artifactType != null) {
            m.put("artifactType", artifactType);
        }
        m.set("subject", subject.json());
        if (annotations != null) {
            ObjectNode a = m.putObject("annotations");
            annotations.forEach(a::put);
        }
        return m;
    }

    static byte[] bytes(JsonNode json) {
        try {
            return JSON.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(json), e);
        }
    }

    /** PUT a manifest and return the raw answer. */
    static Response putManifest(String repo, String reference, String contentType, byte[] body) {
        return request().contentType(contentType).body(body).put("/v2/" + repo + "/manifests/" + reference);
    }

    /** PUT a manifest, check the 201 (Location, Docker-Content-Digest); returns what was pushed. */
    static Pushed pushManifest(String repo, String reference, String mediaType, byte[] body) {
        String digest = sha256(body);
        putManifest(repo, reference, mediaType, body).then().statusCode(201)
                .header("Docker-Content-Digest", digest)
                .header("Location", uriPath(equalTo("/v2/" + repo + "/manifests/" + digest)));
        return new Pushed(mediaType, body, digest);
    }

    /**
     * Pushes a config blob and one layer, then an image manifest of {@code mediaType} (OCI or
     * Docker) under {@code reference}.
     */
    static Pushed pushImage(String repo, String reference, String mediaType) {
        boolean docker = DOCKER_MANIFEST.equals(mediaType);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":\"" + UUID.randomUUID() + "\"}").getBytes();
        byte[] layer = randomBytes(1024);
        pushBlob(repo, config);
        pushBlob(repo, layer);
        byte[] manifest = bytes(imageManifest(mediaType,
                Descriptor.of(docker ? DOCKER_CONFIG : OCI_CONFIG, config),
                List.of(Descriptor.of(docker ? DOCKER_LAYER : OCI_LAYER, layer))));
        return pushManifest(repo, reference, mediaType, manifest);
    }

    /** Pushes an index of {@code mediaType} whose children are two freshly pushed images. */
    static Pushed pushIndex(String repo, String reference, String mediaType) {
        String child = DOCKER_LIST.equals(mediaType) ? DOCKER_MANIFEST : OCI_MANIFEST;
        Pushed a = pushImage(repo, "child-a", child);
        Pushed b = pushImage(repo, "child-b", child);
        byte[] body = bytes(index(mediaType, List.of(a.descriptor(), b.descriptor())));
        return pushManifest(repo, reference, mediaType, body);
    }

    /** Pushes a manifest of any of the four types. */
    static Pushed push(String repo, String reference, String mediaType) {
        return OCI_INDEX.equals(mediaType) || DOCKER_LIST.equals(mediaType)
                ? pushIndex(repo, reference, mediaType)
                : pushImage(repo, reference, mediaType);
    }

    // ---- errors ------------------------------------------------------------------------------

    /**
     * Checks an error answer: the status, the API version header, and a JSON body
     * {@code {"errors":[{"code":...,"message":...}]}} whose first code is {@code code}.
     */
    static JsonNode assertError(Response r, int status, String code) {
        assertEquals(status, r.statusCode(), () -> "status; body: " + r.asString());
        assertEquals("registry/2.0", r.header(API_VERSION), API_VERSION);
        assertNotNull(r.contentType(), "Content-Type of an error");
        assertTrue(r.contentType().startsWith("application/json"), () -> "error Content-Type " + r.contentType());
        JsonNode body = parse(r.asByteArray());
        JsonNode errors = body.path("errors");
        assertTrue(errors.isArray() && errors.size() >= 1, () -> "errors array in " + body);
        for (JsonNode e : errors) {
            assertTrue(e.path("code").isTextual(), () -> "code in " + body);
            assertTrue(e.path("message").isTextual(), () -> "message in " + body);
        }
        assertEquals(code, errors.get(0).path("code").asText(), () -> "error code in " + body);
        return body;
    }

    /** {@link #assertError} for an answer read with {@link RawHttp}. */
    static JsonNode assertError(RawHttp.Head head, byte[] body, int status, String code) {
        assertEquals(status, head.status(), () -> "status; body: " + new String(body, StandardCharsets.UTF_8));
        assertEquals("registry/2.0", head.header(API_VERSION), API_VERSION);
        String type = head.header("Content-Type");
        assertTrue(type != null && type.startsWith("application/json"), () -> "error Content-Type " + type);
        JsonNode json = parse(body);
        JsonNode errors = json.path("errors");
        assertTrue(errors.isArray() && errors.size() >= 1, () -> "errors array in " + json);
        assertTrue(errors.get(0).path("message").isTextual(), () -> "message in " + json);
        assertEquals(code, errors.get(0).path("code").asText(), () -> "error code in " + json);
        return json;
    }

    /** Matches the path of an absolute or relative URL header. */
    static Matcher<String> uriPath(Matcher<String> path) {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(String url) {
                return path.matches(URI.create(url).getRawPath());
            }

            @Override
            public void describeTo(Description d) {
                d.appendText("an URL whose path is ").appendDescriptionOf(path);
            }
        };
    }
}
