package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.storage.middleware.cloudfront.CloudFrontStandIn;
import dev.berth.storage.middleware.cloudfront.IpRangesServer;
import dev.berth.storage.s3.S3Clients;
import dev.berth.storage.s3.S3ProxyResource;
import dev.berth.storage.s3.S3Settings;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * End to end: Berth on S3 (S3Proxy) with the cloudfront middleware, and a CloudFront stand-in that
 * checks signatures and expiry as CloudFront does before serving the object from the bucket. skopeo
 * pulls through it with matching digests; tampered and expired URLs are refused.
 */
class CloudFrontIT {
    @TempDir
    static Path work;
    static S3ProxyResource s3;
    static String endpoint;
    static S3Clients clients;
    static CloudFrontStandIn cdn;
    static BerthProcess berth;
    static OciLayout layout;

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3ProxyResource();
        endpoint = s3.start().get("storage.s3.regionendpoint");
        clients = S3Clients.create(S3Settings.parse(Map.of("region", "us-east-1", "regionendpoint", endpoint, "forcepathstyle", "true",
                "bucket", S3ProxyResource.BUCKET, "accesskey", S3ProxyResource.ACCESS_KEY, "secretkey", S3ProxyResource.SECRET_KEY), "it"),
                List.of());
        // a PKCS#8 key, which Distribution cannot read
        Path key = work.resolve("cloudfront.pem");
        run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key.toString());
        Path pub = work.resolve("cloudfront.pub.pem");
        run("openssl", "pkey", "-in", key.toString(), "-pubout", "-out", pub.toString());
        PublicKey publicKey = KeyFactory.getInstance("RSA").generatePublic(
                new X509EncodedKeySpec(Base64.getDecoder().decode(
                        Files.readString(pub).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""))));
        cdn = new CloudFrontStandIn(publicKey, "KTESTPAIR", CloudFrontIT::object, Clock.systemUTC());
        layout = OciLayout.write(work.resolve("layout"), 3, 1024 * 1024);
        berth = BerthProcess.start(work, config(endpoint, key, "/cdn-root"), List.of(), Map.of());
    }

    /** Berth on the bucket under {@code root}, behind the stand-in. */
    private static String config(String endpoint, Path key, String root) {
        return "version: 0.1\nlog:\n  level: warn\nstorage:\n  s3:\n"
                + "    region: us-east-1\n    regionendpoint: " + endpoint + "\n    forcepathstyle: true\n"
                + "    bucket: " + S3ProxyResource.BUCKET + "\n    accesskey: " + S3ProxyResource.ACCESS_KEY + "\n"
                + "    secretkey: " + S3ProxyResource.SECRET_KEY + "\n    rootdirectory: " + root + "\n"
                + "middleware:\n  storage:\n    - name: cloudfront\n      options:\n        baseurl: " + cdn.baseUrl() + "\n"
                + "        privatekey: " + key + "\n        keypairid: KTESTPAIR\n        duration: 10m\n";
    }

    @Test
    void aMirrorOnS3ServesWhatItCachedThroughTheCdn() throws Exception {
        Skopeo.ok("copy", "--dest-tls-verify=false", "oci:" + layout.root + ":single", "docker://" + berth.hostPort() + "/cdn/mirrored:v1");
        try (BerthProcess mirror = BerthProcess.start(Files.createDirectories(work.resolve("mirror")), config(endpoint, work.resolve("cloudfront.pem"),
                "/mirror-root") + "proxy:\n  remoteurl: " + berth.url("") + "\n", List.of(), Map.of())) {
            String ref = "docker://" + mirror.hostPort() + "/cdn/mirrored:v1";
            Skopeo.ok("copy", "--src-tls-verify=false", ref, "oci:" + work.resolve("cold") + ":x");
            Path warm = work.resolve("warm");
            Skopeo.ok("copy", "--src-tls-verify=false", ref, "oci:" + warm + ":x");
            assertTrue(Files.readString(warm.resolve("index.json")).contains(layout.singleDigest));
            // once cached, a blob takes the normal path: a signed redirect to the CDN, for the mirror's own copy
            String layer = layout.blobDigests.get(0);
            HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            HttpResponse<Void> redirect = http.send(HttpRequest.newBuilder(URI.create(mirror.url("/v2/cdn/mirrored/blobs/" + layer))).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(307, redirect.statusCode());
            String url = redirect.headers().firstValue("Location").orElseThrow();
            assertTrue(url.startsWith(cdn.baseUrl() + "mirror-root/docker/registry/v2/blobs/sha256/"), url);
            HttpResponse<byte[]> served = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, served.statusCode());
            assertArrayEquals(Files.readAllBytes(layout.root.resolve("blobs/sha256/" + layer.substring(7))), served.body());
        }
    }

    @Test
    void clientsInsideAwsRangesGetS3sUrlFromTheFetchedRanges() throws Exception {
        String layer = pushSingle("/cdn/inside:v1");
        // ip-ranges.json on loopback, behind a redirect, naming loopback as an AWS range
        IpRangesServer ranges = IpRangesServer.start(
                "{\"prefixes\":[{\"ip_prefix\":\"127.0.0.0/8\",\"region\":\"us-east-1\",\"service\":\"AMAZON\"}],\"ipv6_prefixes\":[]}", 0);
        String filtered = config(endpoint, work.resolve("cloudfront.pem"), "/cdn-root") + "        ipfilteredby: aws\n"
                + "        iprangesurl: " + ranges.movedUrl() + "\n";
        try (BerthProcess inside = BerthProcess.start(Files.createDirectories(work.resolve("inside")), filtered, List.of(), Map.of())) {
            HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            URI blob = URI.create(inside.url("/v2/cdn/inside/blobs/" + layer));
            String url = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline && !url.startsWith(endpoint)) { // until the ranges are loaded
                HttpResponse<Void> redirect = http.send(HttpRequest.newBuilder(blob).build(), HttpResponse.BodyHandlers.discarding());
                assertEquals(307, redirect.statusCode());
                url = redirect.headers().firstValue("Location").orElseThrow();
                Thread.sleep(100);
            }
            assertTrue(url.startsWith(endpoint + "/" + S3ProxyResource.BUCKET + "/cdn-root/docker/registry/v2/blobs/"),
                    "a client inside the fetched ranges gets S3's presigned URL, not the CDN's: " + url);
            HttpResponse<byte[]> served = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, served.statusCode());
            assertArrayEquals(Files.readAllBytes(layout.root.resolve("blobs/sha256/" + layer.substring(7))), served.body());
        } finally {
            ranges.close();
        }
    }

    /** Pushes the single-platform image to {@code repoAndTag} on berth; its first layer's digest. */
    private static String pushSingle(String repoAndTag) throws Exception {
        Skopeo.ok("copy", "--dest-tls-verify=false", "oci:" + layout.root + ":single", "docker://" + berth.hostPort() + repoAndTag);
        return layout.blobDigests.get(0);
    }

    /** What the stand-in serves: the bucket's object under the URL's key. */
    private static byte[] object(String key) {
        try {
            return clients.client().getObject(GetObjectRequest.builder().bucket(S3ProxyResource.BUCKET).key(key).build(),
                    AsyncResponseTransformer.toBytes()).join().asByteArray();
        } catch (CompletionException e) {
            if (e.getCause() instanceof NoSuchKeyException) {
                return null;
            }
            throw e;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (berth != null) {
            berth.close();
        }
        if (cdn != null) {
            cdn.close();
        }
        if (clients != null) {
            clients.close();
        }
        if (s3 != null) {
            s3.stop();
        }
    }

    @Test
    void skopeoPullsThroughTheCdnWithMatchingDigests() throws Exception {
        String ref = "docker://" + berth.hostPort() + "/cdn/app:v1";
        Skopeo.ok("copy", "--all", "--dest-tls-verify=false", "oci:" + layout.root + ":multi", ref);
        Path pulled = work.resolve("pulled");
        Skopeo.ok("copy", "--all", "--src-tls-verify=false", ref, "oci:" + pulled + ":x");
        layout.assertSameBlobs(pulled);
    }

    @Test
    void blobGetIsASignedRedirectThatTheCdnAcceptsAndTamperingBreaks() throws Exception {
        String layer = pushSingle("/cdn/single:v1");
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<Void> redirect = http.send(HttpRequest.newBuilder(URI.create(berth.url("/v2/cdn/single/blobs/" + layer))).build(),
                HttpResponse.BodyHandlers.discarding());
        assertEquals(307, redirect.statusCode());
        assertEquals(layer, redirect.headers().firstValue("Docker-Content-Digest").orElseThrow());
        String url = redirect.headers().firstValue("Location").orElseThrow();
        String hex = layer.substring(7);
        assertTrue(url.startsWith(cdn.baseUrl() + "cdn-root/docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data?Expires="),
                "the URL is baseurl + the bucket key, root directory included: " + url);

        HttpResponse<byte[]> served = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, served.statusCode());
        assertArrayEquals(Files.readAllBytes(layout.root.resolve("blobs/sha256/" + hex)), served.body());

        String tampered = url.replace("/data?", "/data2?");
        assertEquals(403, http.send(HttpRequest.newBuilder(URI.create(tampered)).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        long expires = Long.parseLong(url.replaceAll(".*Expires=(\\d+).*", "$1"));
        String extended = url.replace("Expires=" + expires, "Expires=" + (expires + 3600));
        assertEquals(403, http.send(HttpRequest.newBuilder(URI.create(extended)).build(), HttpResponse.BodyHandlers.discarding()).statusCode());

        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create(berth.url("/v2/cdn/single/blobs/" + layer)))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(200, head.statusCode(), "HEAD is answered by Berth, not redirected");
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", command) + ": " + out);
        }
    }
}
