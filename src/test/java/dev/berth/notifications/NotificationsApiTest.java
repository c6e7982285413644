package dev.berth.notifications;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import dev.berth.testsupport.Poll;

/**
 * Notifications against a real HTTP receiver on loopback: Distribution's envelope and fields for
 * push, pull, mount and delete; retries until a failing receiver recovers; a slow or stuck receiver
 * never slows requests, and a stuck one's full queue drops and counts; ignore rules and disabled endpoints.
 */
@QuarkusTest
@TestProfile(NotificationsProfile.class)
class NotificationsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RestAssuredConfig CONFIG = RestAssured.config()
            .encoderConfig(EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    private static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

    private final EventReceiver receiver = EventReceiver.instance();

    @Inject
    Notifier notifier;
    @Inject
    MeterRegistry meters;

    @Test
    void pushPullMountAndDeleteArriveInDistributionsEnvelope() throws Exception {
        String repo = repo("events");
        byte[] layer = bytes(1000);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes();
        String layerDigest = pushBlob(repo, layer);
        String configDigest = pushBlob(repo, config);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":\"" + OCI_CONFIG
                + "\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"" + OCI_LAYER
                + "\",\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}";
        String manifestDigest = sha256(manifest.getBytes());
        request().header("X-Request-Id", "push-" + repo.replace('/', '-')).contentType(OCI_MANIFEST).body(manifest)
                .put("/v2/" + repo + "/manifests/v1").then().statusCode(201).header("X-Request-Id", "push-" + repo.replace('/', '-'));
        request().header("User-Agent", "notify-test/1.0").accept(OCI_MANIFEST).get("/v2/" + repo + "/manifests/v1").then().statusCode(200);
        request().head("/v2/" + repo + "/manifests/v1").then().statusCode(200);
        request().get("/v2/" + repo + "/blobs/" + layerDigest).then().statusCode(200);
        request().head("/v2/" + repo + "/blobs/" + layerDigest).then().statusCode(200);
        String other = repo("events");
        request().post("/v2/" + other + "/blobs/uploads/?mount=" + layerDigest + "&from=" + repo).then().statusCode(201);
        request().delete("/v2/" + repo + "/manifests/" + manifestDigest).then().statusCode(202);
        request().delete("/v2/" + repo + "/blobs/" + layerDigest).then().statusCode(202);

        List<JsonNode> events = await("/main", repo, 7);
        List<String> actions = events.stream().map(e -> e.path("action").asText() + " " + e.path("target").path("digest").asText()).toList();
        assertEquals(List.of("push " + layerDigest, "push " + configDigest, "push " + manifestDigest, "pull " + manifestDigest,
                "pull " + layerDigest, "delete " + manifestDigest, "delete " + layerDigest), actions);

        JsonNode push = events.get(2);
        assertTrue(push.path("id").asText().length() >= 32, push.toString());
        assertTrue(push.path("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z"), push.toString());
        JsonNode target = push.path("target");
        assertEquals(OCI_MANIFEST, target.path("mediaType").asText());
        assertEquals(manifest.length(), target.path("size").asInt());
        assertEquals(manifest.length(), target.path("length").asInt());
        assertEquals(repo, target.path("repository").asText());
        assertEquals("v1", target.path("tag").asText());
        assertTrue(target.path("url").asText().matches("http://[^/]+/v2/" + repo + "/manifests/" + manifestDigest), target.toString());
        assertEquals(2, target.path("references").size(), target.toString());
        assertEquals(configDigest, target.path("references").get(0).path("digest").asText());
        assertEquals(OCI_CONFIG, target.path("references").get(0).path("mediaType").asText());
        assertEquals(config.length, target.path("references").get(0).path("size").asInt());
        assertEquals(OCI_LAYER, target.path("references").get(1).path("mediaType").asText());
        JsonNode request = push.path("request");
        assertEquals("push-" + repo.replace('/', '-'), request.path("id").asText());
        assertEquals("PUT", request.path("method").asText());
        assertTrue(request.path("addr").asText().contains("127.0.0.1"), request.toString());
        assertFalse(request.path("host").asText().isEmpty(), request.toString());
        assertEquals(NotificationsProfile.USER, push.path("actor").path("name").asText(), push.toString());
        assertFalse(push.path("source").path("instanceID").asText().isEmpty(), push.toString());
        assertTrue(push.path("source").path("addr").asText().contains(":"), push.toString());

        JsonNode pull = events.get(3);
        assertEquals("notify-test/1.0", pull.path("request").path("useragent").asText());
        assertEquals("GET", pull.path("request").path("method").asText());
        JsonNode blobPush = events.get(0).path("target");
        assertEquals("application/octet-stream", blobPush.path("mediaType").asText());
        assertEquals(layer.length, blobPush.path("size").asInt());
        assertTrue(blobPush.path("url").asText().endsWith("/v2/" + repo + "/blobs/" + layerDigest), blobPush.toString());
        JsonNode deleted = events.get(5).path("target");
        assertEquals(repo, deleted.path("repository").asText());
        assertFalse(deleted.has("mediaType") || deleted.has("size") || deleted.has("tag"), deleted.toString());

        JsonNode mount = await("/main", other, 1).get(0);
        assertEquals("mount", mount.path("action").asText());
        assertEquals(repo, mount.path("target").path("fromRepository").asText());
        assertEquals(layerDigest, mount.path("target").path("digest").asText());

        EventReceiver.Delivery delivery = receiver.accepted.stream().filter(d -> d.path().equals("/main")).findFirst().orElseThrow();
        assertEquals(List.of("application/vnd.docker.distribution.events.v1+json"), delivery.headers().get("Content-type"));
        assertEquals(List.of("Bearer events-token"), delivery.headers().get("Authorization"));
        assertEquals(1, JSON.readTree(delivery.body()).path("events").size());

        // ignoring: pulls, and blob pushes (application/octet-stream) left out; deletes carry no media type, as in Distribution
        List<JsonNode> ignoring = await("/ignoring", repo, 3);
        assertEquals(List.of("push " + manifestDigest, "delete " + manifestDigest, "delete " + layerDigest),
                ignoring.stream().map(e -> e.path("action").asText() + " " + e.path("target").path("digest").asText()).toList());
        assertTrue(received("/off").isEmpty(), "a disabled endpoint gets nothing");
    }

    @Test
    void aFailingReceiverIsRetriedUntilItRecoversAndNothingIsLost() throws Exception {
        String repo = repo("retry");
        int refusedBefore = receiver.refused.get();
        receiver.failing = true;
        List<String> digests = new ArrayList<>();
        try {
            // enough pushes in a row that events built out of order would show
            for (int i = 0; i < 12; i++) {
                digests.add(pushBlob(repo, bytes(100 + i)));
            }
            waitFor(() -> receiver.refused.get() - refusedBefore >= 5, Duration.ofSeconds(10));
            assertTrue(events("/main", repo).isEmpty(), "nothing accepted while the receiver fails");
        } finally {
            receiver.failing = false;
        }
        List<JsonNode> events = await("/main", repo, digests.size());
        assertEquals(digests, events.stream().map(e -> e.path("target").path("digest").asText()).toList(), "in order, none lost");
        assertTrue(notifier.endpoint("main").failures() >= 5);
    }

    @Test
    void aDownloadStillStreamingDoesNotHoldBackTheEventsAfterIt() throws Exception {
        String repo = repo("stream");
        byte[] big = bytes(32 * 1024 * 1024); // more than socket buffers hold, so the body waits for this client
        String bigDigest = pushBlob(repo, big);
        String smallDigest = pushBlob(repo, bytes(500));
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(8192);
            socket.connect(new InetSocketAddress("127.0.0.1", RestAssured.port));
            String auth = Base64.getEncoder().encodeToString((NotificationsProfile.USER + ":" + NotificationsProfile.PASSWORD).getBytes());
            socket.getOutputStream().write(("GET /v2/" + repo + "/blobs/" + bigDigest + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic "
                    + auth + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(12);
            assertEquals("HTTP/1.1 200", new String(head, StandardCharsets.US_ASCII));
            // the big body is held back by this client; a later pull's event goes out meanwhile
            request().get("/v2/" + repo + "/blobs/" + smallDigest).then().statusCode(200);
            List<JsonNode> meanwhile = await("/main", repo, 3);
            assertEquals(List.of("push " + bigDigest, "push " + smallDigest, "pull " + smallDigest),
                    meanwhile.stream().map(e -> e.path("action").asText() + " " + e.path("target").path("digest").asText()).toList());
            // the rest of the head, then the whole body: a response read in full
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                assertTrue(b >= 0, "the head ended early");
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            in.skipNBytes(big.length);
        }
        assertEquals("pull " + bigDigest, await("/main", repo, 4).stream().skip(3)
                .map(e -> e.path("action").asText() + " " + e.path("target").path("digest").asText()).findFirst().orElseThrow());
    }

    @Test
    void eachPullComesAfterThePushItFollowedOnAnotherConnection() throws Exception {
        String repo = repo("order");
        byte[] config = "{}".getBytes();
        List<String> expected = new ArrayList<>(List.of("push " + pushBlob(repo, config)));
        // each request on its own connection, so on any event loop: with events placed after their responses ended,
        // about one pull in 400 came before its push
        for (int i = 0; i < 400; i++) {
            String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":\"" + OCI_CONFIG
                    + "\",\"digest\":\"" + sha256(config) + "\",\"size\":" + config.length + "},\"layers\":[],\"annotations\":{\"i\":\"" + i
                    + "\"}}";
            request().contentType(OCI_MANIFEST).body(manifest).put("/v2/" + repo + "/manifests/t" + i).then().statusCode(201);
            request().accept(OCI_MANIFEST).get("/v2/" + repo + "/manifests/t" + i).then().statusCode(200);
            String digest = sha256(manifest.getBytes());
            expected.add("push " + digest);
            expected.add("pull " + digest);
        }
        assertEquals(expected, await("/main", repo, expected.size()).stream()
                .map(e -> e.path("action").asText() + " " + e.path("target").path("digest").asText()).toList());
    }

    @Test
    void aSlowReceiverNeverSlowsRequests() throws Exception {
        String repo = repo("slow");
        receiver.delayMillis.set(400);
        try {
            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                pushBlob(repo, bytes(10 + i));
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            // five pushes (ten requests) would take over 5 x 400 ms per endpoint if they waited for deliveries
            assertTrue(millis < 1500, "five pushes took " + millis + " ms");
        } finally {
            receiver.delayMillis.set(0);
        }
        assertEquals(5, await("/main", repo, 5).size());
    }

    @Test
    void aStuckEndpointsFullQueueDropsAndCountsWhileOthersDeliver() throws Exception {
        String repo = repo("stuck");
        EndpointQueue stuck = notifier.endpoint("stuck");
        long droppedBefore = stuck.dropped();
        for (int i = 0; i < NotificationsProfile.QUEUE_SIZE + 10; i++) {
            pushBlob(repo, bytes(20 + i));
        }
        assertTrue(stuck.dropped() - droppedBefore >= 9, "dropped " + (stuck.dropped() - droppedBefore));
        assertTrue(stuck.pending() <= NotificationsProfile.QUEUE_SIZE);
        // the queue may still drop while this reads: the scrape sits between the two counts
        double scraped = meters.get("registry_notifications_dropped").tag("endpoint", "stuck").functionCounter().count();
        assertTrue(scraped >= droppedBefore + 9 && scraped <= stuck.dropped(), "the scrape shows what was dropped: " + scraped);
        assertEquals(NotificationsProfile.QUEUE_SIZE + 10, await("/main", repo, NotificationsProfile.QUEUE_SIZE + 10).size(),
                "the other endpoints lose nothing");
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static RequestSpecification request() {
        return given().config(CONFIG).urlEncodingEnabled(false).auth().preemptive()
                .basic(NotificationsProfile.USER, NotificationsProfile.PASSWORD);
    }

    private static String repo(String prefix) {
        return prefix + "/" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static byte[] bytes(int size) {
        byte[] b = new byte[size];
        new Random(size * 31L + System.nanoTime()).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] content) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    /** A monolithic upload (POST with the digest): one push event. */
    private static String pushBlob(String repo, byte[] content) throws Exception {
        String digest = sha256(content);
        Response r = request().contentType("application/octet-stream").body(content).post("/v2/" + repo + "/blobs/uploads/?digest=" + digest);
        r.then().statusCode(201).header("Docker-Content-Digest", digest);
        return digest;
    }

    /** The events delivered to {@code path}, each once: delivery is at least once (a post that timed out is sent again), ids tell them apart. */
    private List<JsonNode> received(String path) {
        List<JsonNode> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (EventReceiver.Delivery d : receiver.accepted) {
            if (d.path().equals(path)) {
                try {
                    JSON.readTree(d.body()).path("events").forEach(e -> {
                        if (ids.add(e.path("id").asText())) {
                            out.add(e);
                        }
                    });
                } catch (Exception e) {
                    throw new AssertionError("not JSON: " + d.body(), e);
                }
            }
        }
        return out;
    }

    private List<JsonNode> events(String path, String repo) {
        return received(path).stream().filter(e -> e.path("target").path("repository").asText().equals(repo)).toList();
    }

    /** The events for {@code repo} at {@code path}, once there are {@code count} (and a moment for any extra to show). */
    private List<JsonNode> await(String path, String repo, int count) throws InterruptedException {
        waitFor(() -> events(path, repo).size() >= count, Duration.ofSeconds(15));
        Thread.sleep(300);
        return events(path, repo);
    }

    private static void waitFor(BooleanSupplier condition, Duration timeout) {
        Poll.until(condition, timeout, "the events");
    }
}
