package dev.berth.storage.middleware.cloudfront;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A CloudFront distribution in miniature, on 127.0.0.1: checks {@code Expires}, {@code Signature}
 * and {@code Key-Pair-Id} of a canned-policy signed URL as CloudFront does (the policy is rebuilt
 * from the request URL without those three parameters, SHA1withRSA verified with the public key,
 * expired URLs refused), answers 403 otherwise, and serves the object from a function or by
 * proxying to an origin (e.g. S3Proxy). Reusable by end-to-end tests.
 */
public final class CloudFrontStandIn implements AutoCloseable {
    private final PublicKey publicKey;
    private final String keyPairId;
    private final Function<String, byte[]> objects;
    private final URI origin;
    private final Clock clock;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final HttpClient originClient = HttpClient.newHttpClient();

    /** Serves {@code objects.apply(objectKey)} (null: 404) for valid signed URLs. */
    public CloudFrontStandIn(PublicKey publicKey, String keyPairId, Function<String, byte[]> objects, Clock clock) {
        this(publicKey, keyPairId, objects, null, clock);
    }

    /** Proxies valid signed requests to {@code origin} + object key (a bucket URL ending in '/'). */
    public CloudFrontStandIn(PublicKey publicKey, String keyPairId, URI origin, Clock clock) {
        this(publicKey, keyPairId, null, origin, clock);
    }

    private CloudFrontStandIn(PublicKey publicKey, String keyPairId, Function<String, byte[]> objects, URI origin, Clock clock) {
        this.publicKey = publicKey;
        this.keyPairId = keyPairId;
        this.objects = objects;
        this.origin = origin;
        this.clock = clock;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** What to configure as the middleware's {@code baseurl}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                send(exchange, 405, "MethodNotAllowed".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String denied = check(exchange);
            if (denied != null) {
                send(exchange, 403, ("<Error><Code>AccessDenied</Code><Message>" + denied + "</Message></Error>")
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            String key = exchange.getRequestURI().getRawPath().substring(1);
            if (objects != null) {
                byte[] body = objects.apply(key);
                if (body == null) {
                    send(exchange, 404, "<Error><Code>NoSuchKey</Code></Error>".getBytes(StandardCharsets.UTF_8));
                } else {
                    send(exchange, 200, body);
                }
                return;
            }
            proxy(exchange, key);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Null when the signed URL is valid, else why not. */
    private String check(HttpExchange exchange) {
        String query = exchange.getRequestURI().getRawQuery();
        String expires = null;
        String signature = null;
        String pairId = null;
        List<String> rest = new ArrayList<>();
        for (String param : query == null ? new String[0] : query.split("&")) {
            int eq = param.indexOf('=');
            String name = eq < 0 ? param : param.substring(0, eq);
            String value = eq < 0 ? "" : param.substring(eq + 1);
            switch (name) {
                case "Expires" -> expires = value;
                case "Signature" -> signature = value;
                case "Key-Pair-Id" -> pairId = value;
                default -> rest.add(param);
            }
        }
        if (expires == null || signature == null || pairId == null) {
            return "Missing Key-Pair-Id, Expires or Signature query parameter";
        }
        if (!pairId.equals(keyPairId)) {
            return "Unknown Key-Pair-Id";
        }
        long expiresAt;
        try {
            expiresAt = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            return "Malformed Expires";
        }
        if (clock.millis() / 1000 >= expiresAt) {
            return "Access denied: URL expired";
        }
        String resource = "http://" + exchange.getRequestHeaders().getFirst("Host") + exchange.getRequestURI().getRawPath()
                + (rest.isEmpty() ? "" : "?" + String.join("&", rest));
        String policy = "{\"Statement\":[{\"Resource\":\"" + resource
                + "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":" + expiresAt + "}}}]}";
        try {
            Signature verifier = Signature.getInstance("SHA1withRSA");
            verifier.initVerify(publicKey);
            verifier.update(policy.getBytes(StandardCharsets.UTF_8));
            if (!verifier.verify(Base64.getDecoder().decode(signature.replace('-', '+').replace('_', '=').replace('~', '/')))) {
                return "Signature does not match";
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return "Malformed Signature";
        }
        return null;
    }

    /** Streams the origin's answer through, Range included, so large blobs never sit in memory. */
    private void proxy(HttpExchange exchange, String key) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(origin.resolve(key))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.noBody());
        String range = exchange.getRequestHeaders().getFirst("Range");
        if (range != null) {
            request.header("Range", range);
        }
        HttpResponse<InputStream> response = originClient.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        for (String header : List.of("Content-Type", "Content-Range", "ETag", "Content-Length")) {
            response.headers().firstValue(header).ifPresent(v -> exchange.getResponseHeaders().set(header, v));
        }
        long length = response.headers().firstValueAsLong("Content-Length").orElse(0);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(response.statusCode(), head || length == 0 ? -1 : length);
        try (InputStream in = response.body(); OutputStream out = exchange.getResponseBody()) {
            if (!head) {
                in.transferTo(out);
            }
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
