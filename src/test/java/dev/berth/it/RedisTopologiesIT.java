package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.testsupport.Pki;

/**
 * The {@code redis} section beyond one plain server: {@code tls.enabled} (the server's certificate checked
 * against the JVM's trusted CAs and its name, as Distribution's Go client does) and Sentinel
 * ({@code addrs} + {@code mastername}), against real {@code redis-server} processes.
 */
class RedisTopologiesIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String TRUST_PASSWORD = "changeit";

    @TempDir
    static Path work;
    static Pki.Pair ca;
    /** A trust store with the test CA only, given to Berth as the JVM's. */
    static Path trustStore;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(PATIENCE).build();

    @BeforeAll
    static void pki() throws Exception {
        Path pki = Files.createDirectories(work.resolve("pki"));
        ca = Pki.ca(pki, "berth-redis-ca", "ec");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        trustStore = pki.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(trustStore)) {
            trust.store(out, TRUST_PASSWORD.toCharArray());
        }
    }

    @Test
    void tlsToARedisWhoseCertificateIsTrustedSharesTheDescriptors() throws Exception {
        Path dir = Files.createDirectories(work.resolve("tls-trusted"));
        Pki.Pair cert = Pki.signed(dir, "redis", "ec", ca, "subjectAltName=IP:127.0.0.1", "extendedKeyUsage=serverAuth");
        try (RedisServer redis = RedisServer.startTls(dir, cert, ca.cert());
                BerthProcess berth = berth(dir, "  addr: " + redis.addr() + "\n  tls:\n    enabled: true\n")) {
            awaitReadiness(berth, "\"state\":\"up\"");
            byte[] blob = "a descriptor sent over TLS".getBytes();
            String digest = pushBlob(berth, "topologies/tls", blob);
            // a stat fills the descriptor caches
            assertEquals(200, head(berth, "/v2/topologies/tls/blobs/" + digest).statusCode());
            awaitRedis(redis, () -> redis.cli("HGET", "blobs::" + digest, "size").equals(Integer.toString(blob.length)));
        }
    }

    @Test
    void tlsToARedisWhoseCertificateNamesAnotherHostIsRefusedAndPushesStillWork() throws Exception {
        Path dir = Files.createDirectories(work.resolve("tls-other-name"));
        // signed by the trusted CA, for another name: only the name check refuses it
        Pki.Pair cert = Pki.signed(dir, "redis", "ec", ca, "subjectAltName=DNS:redis.elsewhere.example", "extendedKeyUsage=serverAuth");
        try (RedisServer redis = RedisServer.startTls(dir, cert, ca.cert());
                BerthProcess berth = berth(dir, "  addr: " + redis.addr() + "\n  tls:\n    enabled: true\n")) {
            // the name check's error, not another failure (a dial timeout) that could pass for it
            awaitReadiness(berth, "NosubjectalternativenamesmatchingIPaddress127.0.0.1");
            String digest = pushBlob(berth, "topologies/tls-refused", "served from storage".getBytes());
            assertEquals(200, head(berth, "/v2/topologies/tls-refused/blobs/" + digest).statusCode());
            assertEquals("0", redis.cli("EXISTS", "blobs::" + digest));
        }
    }

    @Test
    void sentinelNamesTheMasterThatHoldsTheDescriptors() throws Exception {
        Path masterDir = Files.createDirectories(work.resolve("sentinel-master"));
        Path sentinelDir = Files.createDirectories(work.resolve("sentinel"));
        try (RedisServer master = RedisServer.start(masterDir);
                RedisServer sentinel = RedisServer.startSentinel(sentinelDir, master, "berth-master");
                BerthProcess berth = berth(sentinelDir, "  addrs:\n    - " + sentinel.addr() + "\n  mastername: berth-master\n")) {
            awaitReadiness(berth, "\"state\":\"up\"");
            byte[] blob = "a descriptor through sentinel".getBytes();
            String digest = pushBlob(berth, "topologies/sentinel", blob);
            assertEquals(200, head(berth, "/v2/topologies/sentinel/blobs/" + digest).statusCode());
            awaitRedis(master, () -> master.cli("HGET", "blobs::" + digest, "size").equals(Integer.toString(blob.length)));
        }
    }

    private static BerthProcess berth(Path dir, String redisLines) throws Exception {
        String config = "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n"
                + "    rootdirectory: " + Files.createDirectories(dir.resolve("storage")) + "\n  cache:\n    blobdescriptor: redis\n"
                + "redis:\n" + redisLines;
        return BerthProcess.start(Files.createDirectories(dir.resolve("berth")), config,
                List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=" + TRUST_PASSWORD,
                        "-Djavax.net.ssl.trustStoreType=PKCS12"), Map.of());
    }

    /** Readiness is UP whatever Redis does (the registry serves from storage); its details say how Redis is. */
    private String awaitReadiness(BerthProcess berth, String expected) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(berth.url("/q/health/ready"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            body = ready.body().replace(" ", "");
            assertEquals(200, ready.statusCode(), body);
            if (body.contains(expected)) {
                return body;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("readiness never showed " + expected + ": " + body + "\n" + berth.log());
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    /** Descriptors are written to Redis after the answer. */
    private static void awaitRedis(RedisServer redis, Check check) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!check.holds()) {
            assertTrue(System.nanoTime() < deadline, "redis never held the descriptor: " + redis.cli("KEYS", "*"));
            Thread.sleep(50);
        }
    }

    private String pushBlob(BerthProcess berth, String repo, byte[] content) throws Exception {
        return MirrorIT.pushBlob(berth.hostPort(), repo, content);
    }

    private HttpResponse<Void> head(BerthProcess berth, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(berth.url(path))).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
    }
}
