package dev.berth.testsupport;

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
import java.util.concurrent.TimeUnit;

/**
 * A loopback TCP relay in front of a server, to take it off the network for real: {@link #cut()}
 * resets every relayed connection and refuses new ones, {@link #restore()} listens again on the same
 * port. What a client sees is what it sees when a store becomes unreachable. For an HTTP server it
 * also records the request lines it forwards ({@link #count}), and can reset a connection once it has
 * relayed a number of answer bytes ({@link #cutAfter}), as a server lost mid-download, or change one
 * answer byte ({@link #flipAnswerByte}), as a server sending the wrong bytes. It reads the
 * HTTP requests passing through ({@link S3Requests}): it counts them by S3 operation, and can hold each
 * one back by a latency, as a distant store would (bandwidth unchanged; a {@code 100 Continue} that a
 * client waits for is held back as well, its own round trip).
 */
public final class TcpRelay implements AutoCloseable {
    private final int target;
    /** Whether request lines are kept: only for clients that send no bodies, which would be kept too. */
    private final boolean recording;
    /** Whether the client speaks HTTP/1.1 with Content-Length bodies (an S3 client), read by {@link HttpRequestReader}. */
    private final boolean readingHttp;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile long cutAfter = Long.MAX_VALUE;
    private volatile long flipAt = Long.MAX_VALUE;
    private final S3Requests operations = new S3Requests();
    private volatile long latencyMillis;
    /** Answer bytes per second per connection; 0: as fast as they come. */
    private volatile long answerRate;
    /** Request bytes per second per connection; 0: as fast as they come. */
    private volatile long requestRate;
    private volatile ServerSocket listener;
    private int port;

    /** A relay of any protocol (Redis, HTTP): bytes pass as they come. */
    public TcpRelay(int target) {
        this(target, false, false);
    }

    private TcpRelay(int target, boolean recording, boolean readingHttp) {
        this.target = target;
        this.recording = recording;
        this.readingHttp = readingHttp;
        restore();
    }

    /** A relay in front of an S3 server: {@link #requests()} counts its operations, {@link #latency} slows each. */
    public static TcpRelay readingHttp(int target) {
        return new TcpRelay(target, false, true);
    }

    /** A relay that records the request lines, for {@link #count}: for clients that only read (GET, HEAD). */
    public static TcpRelay recordingRequests(int target) {
        return new TcpRelay(target, true, false);
    }

    /** The requests relayed so far, by S3 operation (a relay made by {@link #readingHttp}). */
    public S3Requests requests() {
        return operations;
    }

    /** Holds every request from here on back by {@code millis} before it is passed on (a relay made by {@link #readingHttp}). */
    public void latency(long millis) {
        latencyMillis = millis;
    }

    /** From now on each connection relays at most {@code bytesPerSecond} of answers (0: no limit), as a slow link would. */
    public void answerRate(long bytesPerSecond) {
        answerRate = bytesPerSecond;
    }

    /** From now on each connection relays at most {@code bytesPerSecond} of what the client sends (0: no limit), as a slow uplink would. */
    public void requestRate(long bytesPerSecond) {
        requestRate = bytesPerSecond;
    }

    /** The client connections relayed at this moment. */
    public int openConnections() {
        return sockets.size() / 2;
    }

    public int port() {
        return port;
    }

    /** The request lines forwarded so far that start with {@code prefix}, e.g. {@code "GET /v2/a/blobs/"}. */
    public long count(String prefix) {
        return requests.stream().filter(r -> r.startsWith(prefix)).count();
    }

    /** From now on a connection that has relayed {@code bytes} of answers is reset ({@code Long.MAX_VALUE}: never). */
    public void cutAfter(long bytes) {
        cutAfter = bytes;
    }

    /** From now on the answer byte at offset {@code at} of each connection is inverted ({@code Long.MAX_VALUE}: none). */
    public void flipAnswerByte(long at) {
        flipAt = at;
    }

    /** Resets every relayed connection and closes the listening socket: connecting is refused. */
    public synchronized void cut() {
        close(listener);
        resetConnections();
    }

    /** Resets every relayed connection; new ones are still accepted. */
    public synchronized void resetConnections() {
        for (Socket socket : sockets) {
            reset(socket);
        }
        sockets.clear();
    }

    /**
     * Listens again, on the same port once one was chosen. While nothing listened, the port was free
     * for any connection on the machine to take as its own end, so binding is retried for a while.
     */
    public synchronized void restore() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                ServerSocket server = new ServerSocket();
                server.setReuseAddress(true);
                try {
                    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                } catch (IOException e) {
                    server.close();
                    throw e;
                }
                port = server.getLocalPort();
                listener = server;
                Thread accept = new Thread(() -> accept(server), "tcp-relay-accept-" + port);
                accept.setDaemon(true);
                accept.start();
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("relay cannot listen on " + port, e);
                }
                sleepBriefly();
            }
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void accept(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                // each piece goes on as it comes: Nagle's algorithm would hold a request's body, written after
                // its head, until the head's delayed ACK (40 ms), a wait no real network path adds
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                // under cut()'s lock: a connection accepted just before a cut is reset by it, never left relaying
                synchronized (this) {
                    if (server.isClosed()) {
                        reset(client);
                        reset(upstream);
                        continue;
                    }
                    sockets.add(client);
                    sockets.add(upstream);
                }
                HttpRequestReader reader = readingHttp ? new HttpRequestReader(operations, () -> latencyMillis) : null;
                pump(client, upstream, true, reader);
                pump(upstream, client, false, reader);
            } catch (IOException e) {
                // closed by cut(), or the target refused: the client's connection is dropped
            }
        }
    }

    /** {@code reader}, when there is one, reads and passes on what a client sends, and sees the answers first. */
    private void pump(Socket from, Socket to, boolean requests, HttpRequestReader reader) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[65536];
            StringBuilder line = new StringBuilder();
            long relayed = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0;) {
                    if (requests && recording) {
                        record(line, new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                    } else if (!requests && relayed + n > cutAfter) {
                        out.write(buffer, 0, (int) Math.max(0, cutAfter - relayed));
                        out.flush();
                        reset(from);
                        reset(to);
                        return;
                    }
                    long flip = flipAt;
                    if (!requests && flip >= relayed && flip < relayed + n) {
                        buffer[(int) (flip - relayed)] ^= (byte) 0xff;
                    }
                    relayed += n;
                    if (reader != null && !requests) {
                        reader.beforeAnswer(buffer, n);
                    }
                    if (reader != null && requests) {
                        reader.relay(buffer, n, out);
                    } else {
                        out.write(buffer, 0, n);
                    }
                    long rate = requests ? requestRate : answerRate;
                    if (rate > 0) {
                        Thread.sleep(n * 1000L / rate);
                    }
                }
            } catch (IOException e) {
                // reset or cut: the other direction ends too
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
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

    /** Keeps every complete line of what a client sent (request lines and headers: requests with bodies are not told apart). */
    private void record(StringBuilder line, String chunk) {
        for (String part : chunk.split("(?<=\n)")) {
            line.append(part);
            if (part.endsWith("\n")) {
                requests.add(line.toString().trim());
                line.setLength(0);
            }
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
