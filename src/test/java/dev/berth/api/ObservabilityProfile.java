package dev.berth.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The debug server (with Prometheus) and every kind of health check, on the in-memory driver. The
 * checked things are real and on loopback: a file, an HTTP server whose status the test sets, and a
 * TCP listener the test closes and opens again. Checks run every 200 ms.
 */
public class ObservabilityProfile implements QuarkusTestProfile {
    static final int DEBUG_PORT = freePort();
    static final Path DRAIN_FILE = Path.of("target", "health-drain-" + ProcessHandle.current().pid()).toAbsolutePath();
    /** The status the checked HTTP server answers. */
    static final AtomicInteger HTTP_STATUS = new AtomicInteger(204);
    /** The X-Check header of the last request the HTTP server received. */
    static final AtomicReference<String> HTTP_HEADER = new AtomicReference<>();
    static final HttpServer HTTP = httpServer();
    static final TcpListener TCP = new TcpListener(freePort());

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> c = new HashMap<>();
        c.put("http.debug.addr", "127.0.0.1:" + DEBUG_PORT);
        c.put("http.debug.prometheus.enabled", "true");
        c.put("health.storagedriver.enabled", "true");
        c.put("health.storagedriver.interval", "200ms");
        c.put("health.storagedriver.threshold", "3");
        c.put("health.file[0].file", DRAIN_FILE.toString());
        c.put("health.file[0].interval", "200ms");
        c.put("health.http[0].uri", "http://127.0.0.1:" + HTTP.getAddress().getPort() + "/ping");
        c.put("health.http[0].headers.X-Check[0]", "berth");
        c.put("health.http[0].statuscode", "204");
        c.put("health.http[0].timeout", "1s");
        c.put("health.http[0].interval", "200ms");
        c.put("health.http[0].threshold", "2");
        c.put("health.tcp[0].addr", "127.0.0.1:" + TCP.port);
        c.put("health.tcp[0].timeout", "1s");
        c.put("health.tcp[0].interval", "200ms");
        return c;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpServer httpServer() {
        try {
            Files.deleteIfExists(DRAIN_FILE);
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/ping", exchange -> {
                HTTP_HEADER.set(exchange.getRequestHeaders().getFirst("X-Check"));
                exchange.sendResponseHeaders(HTTP_STATUS.get(), -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A TCP listener on a fixed loopback port that accepts and closes, and can be closed and opened again. */
    static final class TcpListener {
        final int port;
        private ServerSocket socket;

        TcpListener(int port) {
            this.port = port;
            open();
        }

        synchronized void open() {
            try {
                ServerSocket s = new ServerSocket();
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                socket = s;
                Thread t = new Thread(() -> {
                    while (!s.isClosed()) {
                        try (Socket accepted = s.accept()) {
                            // the check only opens a connection
                        } catch (IOException closed) {
                            return;
                        }
                    }
                }, "tcp-health-target");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        synchronized void close() throws IOException {
            socket.close();
        }
    }
}
