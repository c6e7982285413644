package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.storage.s3.S3Clients;
import dev.berth.storage.s3.S3ProxyResource;
import dev.berth.storage.s3.S3Settings;
import dev.berth.testsupport.TokenIssuer;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A mirror of upstreams that want credentials: Distribution 2.8.2 with htpasswd (Basic), the mirror
 * on S3 (S3Proxy); and Berth with token auth (the Bearer challenge, a token per scope, kept).
 */
class MirrorAuthIT {
    @TempDir
    static Path work;
    static OciLayout layout;

    @BeforeAll
    static void layout() throws Exception {
        layout = OciLayout.write(work.resolve("layout"), 2, 256 * 1024);
    }

    @Test
    void mirrorOfAnHtpasswdUpstreamOnS3() throws Exception {
        Path up = Files.createDirectories(work.resolve("htpasswd-upstream"));
        Path htpasswd = Files.writeString(up.resolve("htpasswd"), "mirror:" + OpenBSDBCrypt.generate("2y", "mirror-pw".toCharArray(), salt(), 5) + "\n");
        S3ProxyResource s3 = new S3ProxyResource();
        String endpoint = s3.start().get("storage.s3.regionendpoint");
        try (ReferenceRegistry upstream = ReferenceRegistry.start(up, "storage:\n  filesystem:\n    rootdirectory: " + up.resolve("data")
                + "\nauth:\n  htpasswd:\n    realm: upstream\n    path: " + htpasswd + "\n")) {
            Skopeo.ok("copy", "--dest-tls-verify=false", "--dest-creds", "mirror:mirror-pw", "oci:" + layout.root + ":single",
                    "docker://" + upstream.hostPort() + "/lib/app:v1");
            String storage = "storage:\n  s3:\n    region: us-east-1\n    regionendpoint: " + endpoint + "\n    forcepathstyle: true\n"
                    + "    bucket: " + S3ProxyResource.BUCKET + "\n    accesskey: " + S3ProxyResource.ACCESS_KEY + "\n"
                    + "    secretkey: " + S3ProxyResource.SECRET_KEY + "\n    rootdirectory: /mirror\n";
            Path dir = Files.createDirectories(work.resolve("s3-mirror"));
            try (BerthProcess mirror = BerthProcess.start(dir, "version: 0.1\n" + storage + "proxy:\n  remoteurl: http://" + upstream.hostPort()
                    + "\n  username: mirror\n", List.of(), Map.of("REGISTRY_PROXY_PASSWORD", "mirror-pw"))) {
                Path pulled = dir.resolve("pulled");
                Skopeo.ok("copy", "--src-tls-verify=false", "docker://" + mirror.hostPort() + "/lib/app:v1", "oci:" + pulled + ":x");
                assertTrue(Files.readString(pulled.resolve("index.json")).contains(layout.singleDigest));
                long same = layout.blobDigests.stream().filter(d -> Files.exists(pulled.resolve("blobs/sha256/" + d.substring(7))))
                        .filter(d -> sameFile(layout.root.resolve("blobs/sha256/" + d.substring(7)), pulled.resolve("blobs/sha256/" + d.substring(7))))
                        .count();
                assertTrue(same >= 3, "config and layers pulled byte-identical: " + same);
                assertLinkedInBucket(endpoint, "lib/app");
                // once stored, a blob takes the normal path: a 307 to the presigned S3 URL
                String config = layout.blobDigests.get(2);
                HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(mirror.url("/v2/lib/app/blobs/" + config)))
                        .build(), HttpResponse.BodyHandlers.discarding());
                assertEquals(307, r.statusCode());
            }
        } finally {
            s3.stop();
        }
    }

    @Test
    void mirrorOfATokenAuthUpstreamKeepsItsTokens() throws Exception {
        Path dir = Files.createDirectories(work.resolve("token"));
        TokenIssuer issuer = TokenIssuer.in(dir.resolve("issuer"));
        Map<String, TokenServer.User> users = Map.of(
                "pusher", new TokenServer.User("push-pw", Map.of("lib/", Set.of("pull", "push"))),
                "mirror", new TokenServer.User("mirror-pw", Map.of("lib/", Set.of("pull"))));
        try (TokenServer tokens = new TokenServer(issuer, users)) {
            String config = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + dir.resolve("upstream-data") + "\n" + tokens.authSection();
            try (BerthProcess upstream = BerthProcess.start(Files.createDirectories(dir.resolve("upstream")), config, List.of(), Map.of())) {
                Skopeo.ok("copy", "--all", "--dest-tls-verify=false", "--dest-creds", "pusher:push-pw", "oci:" + layout.root + ":multi",
                        "docker://" + upstream.hostPort() + "/lib/multi:v1");
                tokens.requests.clear();
                Path mirrorDir = Files.createDirectories(dir.resolve("mirror"));
                try (BerthProcess mirror = BerthProcess.start(mirrorDir, "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: "
                        + mirrorDir.resolve("data") + "\nproxy:\n  remoteurl: " + upstream.url("") + "\n  username: mirror\n  password: mirror-pw\n",
                        List.of(), Map.of())) {
                    Path pulled = mirrorDir.resolve("pulled");
                    Skopeo.ok("copy", "--all", "--src-tls-verify=false", "docker://" + mirror.hostPort() + "/lib/multi:v1", "oci:" + pulled + ":x");
                    layout.assertSameBlobs(pulled);
                    // index, two manifests, six blobs: all with the one token for the repository's pull scope
                    assertEquals(1, tokens.requests.size(), tokens.requests.toString());
                    assertTrue(tokens.requests.get(0).contains("scope=repository%3Alib%2Fmulti%3Apull")
                            || tokens.requests.get(0).contains("scope=repository:lib/multi:pull"), tokens.requests.toString());
                }
            }
        }
    }

    private static void assertLinkedInBucket(String endpoint, String repository) throws Exception {
        Map<String, String> keys = new HashMap<>(Map.of("region", "us-east-1", "regionendpoint", endpoint, "forcepathstyle", "true",
                "bucket", S3ProxyResource.BUCKET, "accesskey", S3ProxyResource.ACCESS_KEY, "secretkey", S3ProxyResource.SECRET_KEY));
        try (S3Clients clients = S3Clients.create(S3Settings.parse(keys, "it"), List.of())) {
            ListObjectsV2Request list = ListObjectsV2Request.builder().bucket(S3ProxyResource.BUCKET).prefix("mirror/docker/registry/v2/").build();
            List<String> objects = clients.client().listObjectsV2(list).join().contents().stream().map(S3Object::key).toList();
            // on S3 a blob is stored just after its client was served (from the spool)
            for (long deadline = System.nanoTime() + 30_000_000_000L; System.nanoTime() < deadline
                    && (objects.stream().filter(k -> k.contains("/_layers/")).count() < 3 || objects.stream().anyMatch(k -> k.contains("/_uploads/")));) {
                Thread.sleep(200);
                objects = clients.client().listObjectsV2(list).join().contents().stream().map(S3Object::key).toList();
            }
            String hex = layout.singleDigest.substring(7);
            assertTrue(objects.contains("mirror/docker/registry/v2/repositories/" + repository + "/_manifests/revisions/sha256/" + hex + "/link"),
                    objects.toString());
            assertTrue(objects.contains("mirror/docker/registry/v2/repositories/" + repository + "/_manifests/tags/v1/current/link"), objects.toString());
            assertEquals(3, objects.stream().filter(k -> k.contains("/_layers/")).count(), "config and 2 layers linked: " + objects);
            assertTrue(objects.stream().noneMatch(k -> k.contains("/_uploads/")), "no upload left: " + objects);
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.mismatch(a, b) == -1;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] salt() {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return salt;
    }
}
