package dev.berth.storage.s3;

import static dev.berth.storage.StorageTestSupport.assertMissing;
import static dev.berth.storage.StorageTestSupport.await;
import static dev.berth.storage.StorageTestSupport.random;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.RedirectRequest;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageException;
import dev.berth.storage.StorageRefusedException;
import dev.berth.storage.StorageUnavailableException;
import dev.berth.storage.middleware.MiddlewareMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.timeout.ReadTimeoutException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Presigned redirects, readiness, and what S3 failures become. */
@QuarkusTest
@TestProfile(S3TestProfile.class)
class S3FaultsAndRedirectTest {
    @Inject
    S3DriverFactory factory;
    @Inject
    StorageDriver driver;
    @Inject
    MiddlewareMetrics redirects;

    private final String root = "/faults-" + UUID.randomUUID();

    @Test
    void getIsRedirectedToAPresignedUrlThatServesTheBytes() throws Exception {
        byte[] content = random(50_000, 200);
        String path = root + "/blobs/data";
        await(driver.putContent(path, content));

        long before = redirects.storageRedirects.sum();
        String url = await(driver.redirectUrl(new RedirectRequest("GET", "127.0.0.1"), path)).orElseThrow();
        assertEquals(before + 1, redirects.storageRedirects.sum(), "registry_redirects_total{target=\"s3\"}");
        assertTrue(url.contains("X-Amz-Expires=1200"), url);
        assertTrue(url.contains("/berth-test/berth-root" + path), url);
        HttpResponse<byte[]> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertArrayEquals(content, response.body());

        assertEquals(Optional.empty(), await(driver.redirectUrl(new RedirectRequest("HEAD", "127.0.0.1"), path)),
                "HEAD is answered by the registry");
        assertEquals(before + 1, redirects.storageRedirects.sum(), "no URL, no redirect counted");
    }

    @Test
    void readinessIsUpWhileTheBucketAnswers() {
        given().when().get("/q/health/ready").then().statusCode(200).body("checks.name", hasItem("s3 bucket"));
    }

    @Test
    void anUnreachableBucketFailsTheCheckAndCallsAsUnavailable() {
        S3Settings unreachable = S3DriverTestSupport.withEndpoint(factory.settings(), "http://127.0.0.1:" + closedPort());
        long start = System.nanoTime();
        String steps;
        try (S3Driver dead = S3DriverTestSupport.driver(unreachable)) {
            assertThrows(RuntimeException.class, () -> await(dead.checkBucket(Duration.ofSeconds(2))));
            steps = "checkBucket " + Duration.ofNanos(System.nanoTime() - start);
            Throwable e = assertThrows(Throwable.class, () -> await(dead.getContent("/anything")));
            steps += ", getContent " + Duration.ofNanos(System.nanoTime() - start) + " " + e;
            assertTrue(e instanceof StorageUnavailableException, String.valueOf(e));
            assertFalse(((StorageUnavailableException) e).throttled());
        }
        steps += ", closed " + Duration.ofNanos(System.nanoTime() - start);
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(30)) < 0, "nothing hangs: " + steps);
    }

    @Test
    void slowDownIsRetriedWithBackoff() {
        byte[] content = random(1000, 201);
        await(driver.putContent(root + "/retried", content));
        FakeSlowDown slowDown = new FakeSlowDown(2);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        // the SDK runs response interceptors last to first: the counter, first, sees the fake 503 as the retry logic does
        try (S3Driver busy = S3DriverTestSupport.driver(factory.settings(), new S3RetryCounter(meters), slowDown)) {
            assertArrayEquals(content, await(busy.getContent(root + "/retried")));
            assertEquals(3, slowDown.attempts.get(), "two throttled attempts, then success");
        }
        assertEquals(2, meters.counter("registry.s3.retries").count(), "registry_s3_retries_total");
        assertEquals(2, meters.counter("registry.s3.throttles").count(), "registry_s3_throttles_total");
    }

    @Test
    void persistentSlowDownBecomesThrottledUnavailable() {
        await(driver.putContent(root + "/throttled", new byte[10]));
        FakeSlowDown slowDown = new FakeSlowDown(Integer.MAX_VALUE);
        try (S3Driver busy = S3DriverTestSupport.driver(factory.settings(), slowDown)) {
            Throwable e = assertThrows(Throwable.class, () -> await(busy.getContent(root + "/throttled")));
            assertTrue(e instanceof StorageUnavailableException, String.valueOf(e));
            assertTrue(((StorageUnavailableException) e).throttled());
            assertEquals(S3Clients.MAX_ATTEMPTS, slowDown.attempts.get());
        }
    }

    @Test
    void s3ErrorsMapToStorageExceptions() {
        assertTrue(S3Errors.translate(error(404, "NoSuchKey"), "GetObject", "/p") instanceof PathNotFoundException);
        assertTrue(S3Errors.translate(error(404, "NoSuchUpload"), "AbortMultipartUpload", "/p") instanceof PathNotFoundException);
        assertTrue(((StorageUnavailableException) S3Errors.translate(error(503, "SlowDown"), "PutObject", "/p")).throttled());
        assertTrue(((StorageUnavailableException) S3Errors.translate(error(429, "TooManyRequests"), "PutObject", "/p")).throttled());
        assertFalse(((StorageUnavailableException) S3Errors.translate(error(500, "InternalError"), "PutObject", "/p")).throttled());
        assertFalse(((StorageUnavailableException) S3Errors.translate(error(404, "NoSuchBucket"), "PutObject", "/p")).throttled());
        StorageRefusedException denied = (StorageRefusedException) S3Errors.translate(error(403, "AccessDenied"), "PutObject", "/p");
        assertFalse(denied.full());
        assertEquals("storage denies access: s3 PutObject 403 AccessDenied", denied.reason());
        assertTrue(((StorageRefusedException) S3Errors.translate(error(507, "XMinioStorageFull"), "UploadPart", "/p")).full());
        assertTrue(((StorageRefusedException) S3Errors.translate(error(403, "QuotaExceeded"), "PutObject", "/p")).full());
        assertEquals(StorageException.class, S3Errors.translate(error(400, "InvalidArgument"), "PutObject", "/p").getClass());
        // a body that stops arriving fails with Netty's own timeout, which the SDK passes on as it is
        assertFalse(assertInstanceOf(StorageUnavailableException.class,
                S3Errors.translate(ReadTimeoutException.INSTANCE, "GetObject", "/p")).throttled());
    }

    @Test
    void aStoreThatRefusesTheCredentialsIsNamedNot500() {
        S3Settings s = factory.settings();
        S3Settings wrongSecret = S3DriverTestSupport.withCredentials(s, s.accessKey().orElseThrow(), "not-the-secret");
        try (S3Driver refused = S3DriverTestSupport.driver(wrongSecret)) {
            Throwable e = assertThrows(Throwable.class, () -> await(refused.putContent(root + "/denied", new byte[10])));
            StorageRefusedException r = assertInstanceOf(StorageRefusedException.class, e);
            assertFalse(r.full());
            assertEquals("storage denies access: s3 PutObject 403 SignatureDoesNotMatch", r.reason());
        }
        assertMissing(driver.stat(root + "/denied"));
    }

    /** A loopback port nobody listens on: connecting is refused at once. */
    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static S3Exception error(int status, String code) {
        return (S3Exception) S3Exception.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code).build()).build();
    }
}
