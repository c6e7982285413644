package dev.berth.storage.middleware.cloudfront;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.testsupport.Pki;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

class AwsIpFilterTest {
    static final String IP_RANGES = """
            {
              "syncToken": "1767225600",
              "createDate": "2026-01-01-00-00-00",
              "prefixes": [
                {"ip_prefix": "3.5.140.0/22", "region": "ap-northeast-2", "service": "AMAZON", "network_border_group": "ap-northeast-2"},
                {"ip_prefix": "52.94.76.0/22", "region": "us-west-2", "service": "AMAZON", "network_border_group": "us-west-2"},
                {"ip_prefix": "15.230.39.0/24", "region": "us-east-1", "service": "EC2", "network_border_group": "us-east-1"},
                {"ip_prefix": "120.52.22.96/27", "region": "GLOBAL", "service": "CLOUDFRONT", "network_border_group": "GLOBAL"}
              ],
              "ipv6_prefixes": [
                {"ipv6_prefix": "2600:1f14::/35", "region": "us-west-2", "service": "EC2", "network_border_group": "us-west-2"},
                {"ipv6_prefix": "2a05:d07a:a000::/40", "region": "eu-south-1", "service": "S3", "network_border_group": "eu-south-1"}
              ]
            }
            """;

    private final Vertx vertx = Vertx.vertx();
    private IpRangesServer server;
    private AwsIpFilter filter;

    @AfterEach
    void stop() {
        if (filter != null) {
            filter.close();
        }
        if (server != null) {
            server.close();
        }
        vertx.close();
    }

    @Test
    void allRegionsIncludingGlobal() throws IOException {
        CidrSet all = AwsIpRanges.parse(IP_RANGES.getBytes(StandardCharsets.UTF_8), Set.of());
        assertEquals(6, all.size());
        assertTrue(all.contains("3.5.141.9"));
        assertTrue(all.contains("120.52.22.100"));
        assertTrue(all.contains("2600:1f14::1"));
        assertFalse(all.contains("198.51.100.7"));
    }

    @Test
    void onlyListedRegionsAndGlobalOnlyWhenListed() throws IOException {
        CidrSet west = AwsIpRanges.parse(IP_RANGES.getBytes(StandardCharsets.UTF_8), Set.of("us-west-2"));
        assertTrue(west.contains("52.94.77.1"));
        assertTrue(west.contains("2600:1f14::1"));
        assertFalse(west.contains("3.5.141.9"));
        assertFalse(west.contains("120.52.22.100"));
        assertFalse(west.contains("2a05:d07a:a000::1"));
        CidrSet global = AwsIpRanges.parse(IP_RANGES.getBytes(StandardCharsets.UTF_8), Set.of("global", "eu-south-1"));
        assertTrue(global.contains("120.52.22.100"));
        assertTrue(global.contains("2a05:d07a:a000::1"));
        assertFalse(global.contains("52.94.77.1"));
    }

    @Test
    void malformedDocumentsAreErrors() {
        assertThrows(IOException.class, () -> AwsIpRanges.parse("not json".getBytes(StandardCharsets.UTF_8), Set.of()));
        assertThrows(IOException.class, () -> AwsIpRanges.parse("[]".getBytes(StandardCharsets.UTF_8), Set.of()));
        assertThrows(IOException.class, () -> AwsIpRanges.parse("{}".getBytes(StandardCharsets.UTF_8), Set.of()));
        assertThrows(IOException.class, () -> AwsIpRanges.parse(
                "{\"prefixes\":[{\"ip_prefix\":\"3.5.0.0/99\",\"region\":\"x\"}]}".getBytes(StandardCharsets.UTF_8), Set.of()));
    }

    @Test
    void failedFetchIsRetriedSoonThenRefreshedOnSchedule() throws Exception {
        server = IpRangesServer.start(IP_RANGES, 2);
        filter = new AwsIpFilter(server.url(), Set.of(), Duration.ofMillis(400), Duration.ofMillis(50),
                vertx.createHttpClient(), vertx);
        assertFalse(filter.contains("3.5.141.9"), "nobody is inside AWS before the first load");
        filter.start();
        filter.firstLoad().get(10, TimeUnit.SECONDS);
        assertEquals(3, server.requests(), "two failures, then success");
        assertTrue(filter.contains("3.5.141.9"));
        assertTrue(filter.contains("2600:1f14::1"));
        assertFalse(filter.contains("198.51.100.7"));
        // the next refresh comes after updatefrequency
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.requests() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(4, server.requests());
    }

    @Test
    void redirectsAreFollowed() throws Exception {
        server = IpRangesServer.start(IP_RANGES, 0);
        filter = new AwsIpFilter(server.movedUrl(), Set.of("us-west-2"),
                Duration.ofHours(12), Duration.ofMillis(50), vertx.createHttpClient(), vertx).start();
        filter.firstLoad().get(10, TimeUnit.SECONDS);
        assertEquals(1, server.requests(), "the document fetched once, at the redirect's target");
        assertTrue(filter.contains("52.94.77.1"));
        assertFalse(filter.contains("3.5.141.9"), "only the listed region");
    }

    @Test
    void theServersCertificateIsVerified(@TempDir Path pki) throws Exception {
        Pki.Pair ca = Pki.ca(pki, "ranges-ca", "ec");
        Pki.Pair certificate = Pki.signed(pki, "ranges", "ec", ca, "subjectAltName=IP:127.0.0.1", "extendedKeyUsage=serverAuth");
        HttpServer https = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setKeyPath(certificate.key().toString()).setCertPath(certificate.cert().toString())))
                .requestHandler(request -> request.response().end(IP_RANGES));
        int port = https.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        URI url = URI.create("https://127.0.0.1:" + port + "/ip-ranges.json");
        // the JVM's trust store does not hold the test CA: no ranges, ever
        filter = new AwsIpFilter(url, Set.of(), Duration.ofHours(12), Duration.ofMillis(20), vertx.createHttpClient(), vertx).start();
        Thread.sleep(500);
        assertFalse(filter.firstLoad().isDone(), "a certificate nobody trusts is refused");
        filter.close();
        // the same server through a client that trusts its CA: loaded
        filter = new AwsIpFilter(url, Set.of(), Duration.ofHours(12), Duration.ofMillis(20),
                vertx.createHttpClient(new HttpClientOptions().setTrustOptions(new PemTrustOptions().addCertPath(ca.cert().toString()))),
                vertx).start();
        filter.firstLoad().get(10, TimeUnit.SECONDS);
        assertTrue(filter.contains("3.5.141.9"));
    }

    @Test
    void aServerThatNeverFinishesTheBodyIsGivenUpOnAndAskedAgain() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer trickling = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(request -> {
                    requests.incrementAndGet();
                    // headers and a first byte of a 100 kB body, then a byte every 50 ms: never idle, never done
                    request.response().putHeader("Content-Length", "100000").write("{");
                    vertx.setPeriodic(50, id -> request.response().write(" "));
                });
        int port = trickling.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        filter = new AwsIpFilter(URI.create("http://127.0.0.1:" + port + "/ip-ranges.json"), Set.of(), Duration.ofHours(12),
                Duration.ofMillis(20), vertx.createHttpClient(), vertx, Duration.ofMillis(300), Long.MAX_VALUE).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (requests.get() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(requests.get() >= 3, "each stalled fetch ends at its timeout and is retried: " + requests.get() + " requests");
        assertFalse(filter.firstLoad().isDone());
    }

    @Test
    void anAnswerOverTheSizeLimitIsCutOffAndAskedAgain() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        AtomicInteger closedEarly = new AtomicInteger();
        HttpServer oversized = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(request -> {
                    switch (requests.incrementAndGet()) {
                        // declared too long: refused at its headers
                        case 1 -> request.response().putHeader("Content-Length", "999999999999").write("{");
                        // chunked without end: refused once over the limit, its connection cut
                        case 2 -> {
                            request.response().setChunked(true);
                            long timer = vertx.setPeriodic(5, id -> request.response().write(" ".repeat(1024)));
                            request.connection().closeHandler(closed -> {
                                vertx.cancelTimer(timer);
                                closedEarly.incrementAndGet();
                            });
                        }
                        default -> request.response().end(IP_RANGES);
                    }
                });
        int port = oversized.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        // a fetch timeout far beyond the test's wait: only the size limit can end the first two answers in time
        filter = new AwsIpFilter(URI.create("http://127.0.0.1:" + port + "/ip-ranges.json"), Set.of(), Duration.ofHours(12),
                Duration.ofMillis(20), vertx.createHttpClient(), vertx, Duration.ofMinutes(5), 64 * 1024).start();
        filter.firstLoad().get(10, TimeUnit.SECONDS);
        assertEquals(3, requests.get(), "two answers over the limit, then the document");
        assertTrue(closedEarly.get() >= 1, "the endless answer's connection was cut");
        assertTrue(filter.contains("3.5.141.9"));
    }

    @Test
    void unreachableUrlKeepsRetrying() throws Exception {
        server = IpRangesServer.start(IP_RANGES, 0);
        URI dead = server.url();
        server.close();
        server = null;
        filter = new AwsIpFilter(dead, Set.of(), Duration.ofHours(12), Duration.ofMillis(20),
                vertx.createHttpClient(), vertx).start();
        Thread.sleep(400);
        assertFalse(filter.firstLoad().isDone());
        assertFalse(filter.contains("3.5.141.9"));
    }

    @Test
    void retryBackoffDoublesAndIsCapped() {
        AwsIpFilter f = new AwsIpFilter(URI.create("http://127.0.0.1:1/"), Set.of(), Duration.ofHours(12),
                Duration.ofMinutes(1), vertx.createHttpClient(), vertx);
        assertEquals(Duration.ofMinutes(1), f.retryDelay(1));
        assertEquals(Duration.ofMinutes(2), f.retryDelay(2));
        assertEquals(Duration.ofMinutes(8), f.retryDelay(4));
        assertEquals(Duration.ofMinutes(15), f.retryDelay(10));
        assertEquals(Duration.ofMinutes(15), f.retryDelay(1000));
        AwsIpFilter frequent = new AwsIpFilter(URI.create("http://127.0.0.1:1/"), Set.of(), Duration.ofMinutes(3),
                Duration.ofMinutes(1), vertx.createHttpClient(), vertx);
        assertEquals(Duration.ofMinutes(3), frequent.retryDelay(5));
    }
}
