package dev.berth.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.berth.registry.Digest;
import dev.berth.registry.DigestAlgorithm;
import dev.berth.registry.Digester;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * A mirrored download on a Vert.x server on loopback: its larger write queue is the connection's while
 * its body goes out, and the connection has its default back once the body is done.
 */
class MirroredBodyTest {
    private static final byte[] BLOB = "a mirrored blob".getBytes();
    private static final Digest DIGEST = Digester.of(DigestAlgorithm.SHA256, BLOB);
    private static final Vertx vertx = Vertx.vertx();
    private static HttpServer server;
    private static final AtomicInteger queueWhileSending = new AtomicInteger();

    @BeforeAll
    static void serve() throws Exception {
        server = vertx.createHttpServer().requestHandler(MirroredBodyTest::handle)
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void close() {
        vertx.close();
    }

    /** {@code /mirrored}: the blob through a MirroredBody; {@code /queue}: the connection's write queue size. */
    private static void handle(HttpServerRequest request) {
        Context context = Vertx.currentContext();
        if (request.path().equals("/mirrored")) {
            MirroredBody body = new MirroredBody(request.response(), command -> context.runOnContext(v -> command.run()), DIGEST);
            body.start(BLOB.length);
            body.write(Buffer.buffer(BLOB)).subscribe().with(v -> {
                queueWhileSending.set(highWaterMark(request));
                body.end();
            }, body::fail);
        } else {
            request.response().end(String.valueOf(highWaterMark(request)));
        }
    }

    private static int highWaterMark(HttpServerRequest request) {
        return ((ConnectionBase) request.connection()).channel().config().getWriteBufferHighWaterMark();
    }

    @Test
    void theConnectionGetsItsDefaultWriteQueueBackOnceTheBodyIsDone() throws Exception {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setMaxPoolSize(1));
        try {
            Answer mirrored = get(client, "/mirrored");
            assertEquals(200, mirrored.response().statusCode());
            assertEquals(DIGEST.toString(), mirrored.response().getHeader("Docker-Content-Digest"));
            assertArrayEquals(BLOB, mirrored.body().getBytes());
            assertEquals(MirroredBody.WRITE_QUEUE_BYTES, queueWhileSending.get(), "while the body goes out");

            assertEquals(String.valueOf(MirroredBody.DEFAULT_WRITE_QUEUE_BYTES), get(client, "/queue").body().toString(),
                    "the next response on the same connection");
        } finally {
            client.close();
        }
    }

    private record Answer(HttpClientResponse response, Buffer body) {
    }

    /** The answer with its body, read as it arrives. */
    private static Answer get(HttpClient client, String path) throws Exception {
        return client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", path)
                .compose(r -> r.send().compose(response -> response.body().map(body -> new Answer(response, body))))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
