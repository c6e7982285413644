package dev.berth.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

class BoundedBodyTest {
    private final Vertx vertx = Vertx.vertx();
    private final CompletableFuture<Void> endlessClosed = new CompletableFuture<>();
    private HttpClient client;
    private int port;

    @BeforeEach
    void start() throws Exception {
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)).requestHandler(request -> {
            switch (request.path()) {
                case "/small" -> request.response().end("0123456789");
                case "/declared" -> request.response().putHeader("Content-Length", "999999999999").write("{");
                default -> {
                    // chunked, never ending: only the limit ends the read
                    request.response().setChunked(true);
                    long timer = vertx.setPeriodic(5, id -> request.response().write(" ".repeat(1024)));
                    request.connection().closeHandler(closed -> {
                        vertx.cancelTimer(timer);
                        endlessClosed.complete(null);
                    });
                }
            }
        });
        port = server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        client = vertx.createHttpClient();
    }

    @AfterEach
    void stop() {
        vertx.close();
    }

    /**
     * The answer's handler is attached on the event loop, inside the request's callback: attached from the test's thread,
     * after the answer came, it would run later, once its body had gone by unread.
     */
    private Future<Buffer> read(String path, long limit, boolean paused) {
        return client.request(HttpMethod.GET, port, "127.0.0.1", path).compose(request -> request.send().compose(response -> {
            if (paused) {
                response.pause(); // as the mirror's upstream client hands its responses on
            }
            return BoundedBody.read(response, limit);
        }));
    }

    private static Throwable failure(Future<Buffer> read) throws Exception {
        try {
            read.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("read did not fail");
    }

    @Test
    void aBodyWithinTheLimitIsReadWhole() throws Exception {
        assertEquals("0123456789", read("/small", 10, false).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).toString());
        assertEquals("0123456789", read("/small", 10, true).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).toString(),
                "a paused response is resumed");
    }

    @Test
    void oneByteOverTheLimitFails() throws Exception {
        assertInstanceOf(BoundedBody.TooLargeException.class, failure(read("/small", 9, false)));
    }

    @Test
    void aBodyDeclaredLongerIsRefusedAtItsHeaders() throws Exception {
        Throwable e = failure(read("/declared", 1024, false));
        assertInstanceOf(BoundedBody.TooLargeException.class, e);
        assertTrue(e.getMessage().contains("999999999999"), e.getMessage());
    }

    @Test
    void anEndlessBodyIsCutAtTheLimitAndItsConnectionReset() throws Exception {
        assertInstanceOf(BoundedBody.TooLargeException.class, failure(read("/endless", 64 * 1024, false)));
        endlessClosed.get(10, TimeUnit.SECONDS);
    }
}
