package dev.berth.notifications;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A notification endpoint on loopback (the JDK's HTTP server), for the whole test JVM: it records
 * every delivery it accepts, and can be told to fail (500), to answer slowly, or (on {@code /stuck})
 * never to answer until released.
 */
final class EventReceiver {
    /** A delivery as received: path, headers, body. */
    record Delivery(String path, Map<String, List<String>> headers, String body) {
    }

    private static EventReceiver instance;

    private final HttpServer server;
    final List<Delivery> accepted = new CopyOnWriteArrayList<>();
    final AtomicInteger refused = new AtomicInteger();
    /** Answer 500 while set. */
    volatile boolean failing;
    final AtomicLong delayMillis = new AtomicLong();
    private final CountDownLatch release = new CountDownLatch(1);

    private EventReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "event-receiver");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    static synchronized EventReceiver instance() {
        if (instance == null) {
            try {
                instance = new EventReceiver();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/stuck")) {
                release.await(60, TimeUnit.SECONDS);
            }
            long delay = delayMillis.get();
            if (delay > 0) {
                Thread.sleep(delay);
            }
            if (failing && !path.equals("/stuck")) {
                refused.incrementAndGet();
                exchange.sendResponseHeaders(500, -1);
                return;
            }
            accepted.add(new Delivery(path, Map.copyOf(exchange.getRequestHeaders()), body));
            exchange.sendResponseHeaders(202, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void releaseStuck() {
        release.countDown();
    }
}
