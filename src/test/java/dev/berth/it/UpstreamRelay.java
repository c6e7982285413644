package dev.berth.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay in front of an upstream registry, as a mirror's network sees it: it records
 * the request lines it forwards (to count upstream fetches), can cut every connection once it has
 * relayed a number of response bytes (upstream lost mid-blob), and can go down and come back.
 */
final class UpstreamRelay implements AutoCloseable {
    private final int target;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile long cutAfter = Long.MAX_VALUE;
    private volatile ServerSocket listener;
    private int port;

    UpstreamRelay(int target) {
        this.target = target;
        up();
    }

    int port() {
        return port;
    }

    /** The request lines forwarded so far that start with {@code prefix}, e.g. {@code "GET /v2/a/blobs/"}. */
    long count(String prefix) {
        return requests.stream().filter(r -> r.startsWith(prefix)).count();
    }

    /** From now on, a connection that has relayed {@code bytes} of answers is reset. */
    void cutAfter(long bytes) {
        cutAfter = bytes;
    }

    /** Resets every connection and stops listening: upstream is unreachable. */
    synchronized void down() {
        close(listener);
        sockets.forEach(UpstreamRelay::reset);
        sockets.clear();
    }

    /** Listens again on the same port, relaying everything. */
    synchronized void up() {
        cutAfter = Long.MAX_VALUE;
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            port = server.getLocalPort();
            listener = server;
            daemon(() -> accept(server));
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
                daemon(() -> pump(client, upstream, true));
                daemon(() -> pump(upstream, client, false));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Copies one direction; requests (no bodies: the mirror only reads) are recorded line by line. */
    private void pump(Socket from, Socket to, boolean requestSide) {
        byte[] buffer = new byte[64 * 1024];
        StringBuilder line = new StringBuilder();
        long relayed = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (requestSide) {
                    for (String c : new String(buffer, 0, n, StandardCharsets.ISO_8859_1).split("(?<=\n)")) {
                        line.append(c);
                        if (c.endsWith("\n")) {
                            requests.add(line.toString().trim());
                            line.setLength(0);
                        }
                    }
                } else if (relayed + n > cutAfter) {
                    out.write(buffer, 0, (int) Math.max(0, cutAfter - relayed));
                    out.flush();
                    reset(from);
                    reset(to);
                    return;
                }
                relayed += n;
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the other side went away
        } finally {
            close(from);
            close(to);
        }
    }

    private static void reset(Socket socket) {
        try {
            // RST, not FIN: the peer learns at once that the connection is gone
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed
        }
        close(socket);
    }

    private static void close(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception e) {
            // closing anyway
        }
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "upstream-relay");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        down();
    }
}
