package dev.berth.storage.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP relay in front of a server, to take it off the network for real: {@link #cut()}
 * resets every relayed connection and refuses new ones, {@link #restore()} listens again on the same
 * port. What a client sees is what it sees when a store becomes unreachable. It also reads the HTTP
 * requests passing through ({@link S3Requests}): it counts them, and can hold each one back by a
 * latency, as a distant store would (bandwidth unchanged).
 */
public final class TcpRelay implements AutoCloseable {
    private final int target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final S3Requests requests = new S3Requests();
    private volatile long latencyMillis;
    private volatile ServerSocket listener;
    private int port;

    public TcpRelay(int target) {
        this.target = target;
        restore();
    }

    /** The requests relayed so far. */
    public S3Requests requests() {
        return requests;
    }

    /** Holds every request from here on back by {@code millis} before it is passed on. */
    public void latency(long millis) {
        latencyMillis = millis;
    }

    public int port() {
        return port;
    }

    /** Resets every relayed connection and closes the listening socket: connecting is refused. */
    public synchronized void cut() {
        close(listener);
        for (Socket socket : sockets) {
            try {
                // RST, not FIN: the peer learns at once that the connection is gone
                socket.setSoLinger(true, 0);
            } catch (IOException e) {
                // already closed
            }
            close(socket);
        }
        sockets.clear();
    }

    /** Listens again, on the same port once one was chosen. */
    public synchronized void restore() {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            port = server.getLocalPort();
            listener = server;
            Thread accept = new Thread(() -> accept(server), "tcp-relay-accept-" + port);
            accept.setDaemon(true);
            accept.start();
        } catch (IOException e) {
            throw new IllegalStateException("relay cannot listen on " + port, e);
        }
    }

    private void accept(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream, new HttpRequestReader(requests, () -> latencyMillis));
                pump(upstream, client, null);
            } catch (IOException e) {
                // closed by cut(), or the target refused: the client's connection is dropped
            }
        }
    }

    private void pump(Socket from, Socket to, HttpRequestReader reader) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[65536];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0;) {
                    if (reader == null) {
                        out.write(buffer, 0, n);
                    } else {
                        reader.relay(buffer, n, out);
                    }
                }
            } catch (IOException e) {
                // reset or cut: the other direction ends too
            } finally {
                close(from);
                close(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "tcp-relay-" + from.getLocalPort());
        thread.setDaemon(true);
        thread.start();
    }

    private static void close(AutoCloseable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (Exception e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        cut();
    }
}
