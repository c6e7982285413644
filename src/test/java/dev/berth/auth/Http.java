package dev.berth.auth;

import static io.restassured.RestAssured.given;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;

import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.specification.RequestSpecification;

/** Requests sent as written, with or without a bearer token, and the bits of an image to push. */
final class Http {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final RestAssuredConfig CONFIG = RestAssured.config()
            .encoderConfig(EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));
    private static final SecureRandom RANDOM = new SecureRandom();

    private Http() {
    }

    static RequestSpecification anonymous() {
        return given().config(CONFIG).urlEncodingEnabled(false).redirects().follow(false);
    }

    static RequestSpecification bearer(String token) {
        return anonymous().header("Authorization", "Bearer " + token);
    }

    static RequestSpecification basic(String user, String password) {
        return anonymous().header("Authorization", "Basic "
                + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    static String repo(String prefix) {
        return prefix + "/" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A minimal OCI image manifest naming a config and one layer. */
    static byte[] manifest(byte[] config, byte[] layer) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                + "\"digest\":\"" + sha256(config) + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + sha256(layer) + "\",\"size\":" + layer.length + "}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Monolithic blob upload with {@code spec}'s credentials; asserts 201. */
    static String pushBlob(RequestSpecification spec, String repo, byte[] content) {
        String digest = sha256(content);
        spec.contentType("application/octet-stream").body(content).post("/v2/" + repo + "/blobs/uploads/?digest=" + digest)
                .then().statusCode(201).header("Docker-Content-Digest", digest);
        return digest;
    }
}
