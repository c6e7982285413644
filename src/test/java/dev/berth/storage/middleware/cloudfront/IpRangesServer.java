package dev.berth.storage.middleware.cloudfront;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * An ip-ranges.json document served on 127.0.0.1, the first {@code failures} requests answered 503, and
 * a redirect to it at /moved (as a CDN in front of the real URL may answer).
 */
public final class IpRangesServer implements AutoCloseable {
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    private IpRangesServer(String document, int failures) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ip-ranges.json", exchange -> {
            int n = requests.incrementAndGet();
            byte[] body = (n <= failures ? "busy" : document).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(n <= failures ? 503 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().set("Location", "/ip-ranges.json");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.start();
    }

    public static IpRangesServer start(String document, int failures) throws IOException {
        return new IpRangesServer(document, failures);
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ip-ranges.json");
    }

    public URI movedUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/moved");
    }

    /** Requests for the document so far (redirects not counted). */
    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
