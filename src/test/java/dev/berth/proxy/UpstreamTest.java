package dev.berth.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.berth.outbound.BoundedBody;
import dev.berth.registry.Digest;
import dev.berth.registry.DigestAlgorithm;
import dev.berth.registry.Digester;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;

/** The mirror's upstream client against a plain HTTP server on loopback: how a blob's body arrives. */
class UpstreamTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final byte[] BLOB = SpoolTest.random(4 * 1024 * 1024, 7);
    /** Answered in one packet: its body is there as soon as its head. */
    private static final byte[] SMALL = SpoolTest.random(100, 8);
    private static final Vertx vertx = Vertx.vertx();
    private static HttpServer server;

    @BeforeAll
    static void serve() throws Exception {
        server = vertx.createHttpServer().requestHandler(request -> request.response()
                .end(Buffer.buffer(request.path().endsWith(Digester.of(DigestAlgorithm.SHA256, SMALL).toString()) ? SMALL : BLOB)))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void close() {
        vertx.close();
    }

    @Test
    void anAnswerAskedForFromAnyThreadIsPausedBeforeItsBodyGoesBy() throws Exception {
        Upstream upstream = new Upstream(new SmallRyeConfigBuilder()
                .withDefaultValue("proxy.remoteurl", "http://127.0.0.1:" + server.actualPort()).build(), vertx);
        Digest digest = Digester.of(DigestAlgorithm.SHA256, SMALL);
        try {
            // subscribed from the test's thread, many times over: the answer's head and body arrive together
            for (int i = 0; i < 300; i++) {
                HttpClientResponse response = upstream.blob(HttpMethod.GET, "library/app", digest).await().atMost(WAIT);
                Buffer body = BoundedBody.read(response, 1024).toCompletionStage().toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                assertArrayEquals(SMALL, body.getBytes(), "answer " + i);
            }
        } finally {
            upstream.close();
        }
    }

    @Test
    void aBlobArrivesInChunksOfAWholeNetworkReadNotEightKiB() throws Exception {
        Upstream upstream = new Upstream(new SmallRyeConfigBuilder()
                .withDefaultValue("proxy.remoteurl", "http://127.0.0.1:" + server.actualPort()).build(), vertx);
        Digest digest = Digester.of(DigestAlgorithm.SHA256, BLOB);
        HttpClientResponse response = upstream.blob(HttpMethod.GET, "library/app", digest).await().atMost(WAIT);
        List<Integer> chunks = Collections.synchronizedList(new ArrayList<>());
        Buffer body = Buffer.buffer();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        response.handler(chunk -> {
            chunks.add(chunk.length());
            body.appendBuffer(chunk);
        }).exceptionHandler(ended::completeExceptionally).endHandler(v -> ended.complete(null)).resume();
        ended.get(10, TimeUnit.SECONDS);
        upstream.close();

        assertArrayEquals(BLOB, body.getBytes());
        int largest = Collections.max(chunks);
        assertTrue(largest > 8192, "a chunk larger than Vert.x's default of 8 KiB, largest " + largest);
        assertTrue(largest <= Upstream.MAX_CHUNK_BYTES, "no chunk over the limit, largest " + largest);
        assertEquals(BLOB.length, chunks.stream().mapToInt(Integer::intValue).sum());
    }
}
