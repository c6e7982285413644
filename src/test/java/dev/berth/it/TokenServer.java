package dev.berth.it;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.berth.testsupport.TokenIssuer;

/**
 * A Distribution token service on 127.0.0.1: {@code GET /token?service=...&scope=...} with Basic
 * credentials answers a token granting the intersection of the requested and the user's allowed
 * actions (a partial or empty grant is no error); bad credentials get 401.
 */
final class TokenServer implements AutoCloseable {
    /** A user's password and allowed actions per repository name prefix ("" for every repository). */
    record User(String password, Map<String, Set<String>> allowed) {
    }

    private final HttpServer server;
    private final TokenIssuer issuer;
    private final Map<String, User> users;
    final List<String> requests = new CopyOnWriteArrayList<>();

    TokenServer(TokenIssuer issuer, Map<String, User> users) throws IOException {
        this.issuer = issuer;
        this.users = users;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", this::handle);
        server.start();
    }

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** The {@code auth} section of a registry whose tokens this service issues, signed by {@code issuer}. */
    String authSection() {
        return "auth:\n  token:\n    realm: " + realm() + "\n    service: " + TokenIssuer.SERVICE + "\n    issuer: " + TokenIssuer.ISSUER
                + "\n    rootcertbundle: " + issuer.bundle + "\n";
    }

    private void handle(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
        String user = authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
        if (user == null) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"token\"");
            send(exchange, 401, "{\"details\":\"bad credentials\"}");
            return;
        }
        String service = null;
        List<String> scopes = new ArrayList<>();
        for (String pair : query == null ? new String[0] : query.split("&")) {
            String[] kv = pair.split("=", 2);
            String value = kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
            if (kv[0].equals("service")) {
                service = value;
            } else if (kv[0].equals("scope")) {
                scopes.addAll(List.of(value.split(" ")));
            }
        }
        if (!TokenIssuer.SERVICE.equals(service)) {
            send(exchange, 400, "{\"details\":\"unknown service\"}");
            return;
        }
        TokenIssuer.Builder token = issuer.token().subject(user).expiresIn(Duration.ofMinutes(5));
        for (String scope : scopes) {
            if (scope.isBlank()) {
                continue;
            }
            // type:name:actions, the name may hold a host:port
            int first = scope.indexOf(':');
            int last = scope.lastIndexOf(':');
            String type = scope.substring(0, first);
            String name = scope.substring(first + 1, last);
            Set<String> granted = new LinkedHashSet<>(List.of(scope.substring(last + 1).split(",")));
            granted.retainAll(allowed(user, type, name));
            if (!granted.isEmpty()) {
                token.access(type, name, granted.toArray(String[]::new));
            }
        }
        String jwt = token.sign();
        send(exchange, 200, "{\"token\":\"" + jwt + "\",\"access_token\":\"" + jwt + "\",\"expires_in\":300,\"issued_at\":\""
                + Instant.now() + "\"}");
    }

    private Set<String> allowed(String user, String type, String name) {
        Set<String> out = new LinkedHashSet<>();
        users.get(user).allowed().forEach((prefix, actions) -> {
            if (prefix.equals(type + ":" + name) || type.equals("repository") && name.startsWith(prefix)) {
                out.addAll(actions);
            }
        });
        return out;
    }

    private String authenticate(String header) {
        if (header == null || !header.startsWith("Basic ")) {
            return null;
        }
        String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        User u = users.get(decoded.substring(0, colon));
        return u != null && u.password().equals(decoded.substring(colon + 1)) ? decoded.substring(0, colon) : null;
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
