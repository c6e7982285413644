package dev.berth.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.berth.testsupport.Pki;

/**
 * A real {@code redis-server} (the Debian package) on a free loopback port, without persistence, started
 * and stopped by the test: killed by its own PID and started again on the same port, as an outage.
 */
final class RedisServer implements AutoCloseable {
    private final Path dir;
    private final int port;
    /** The server's options beyond its port (TLS files, Sentinel's configuration file). */
    private final List<String> options;
    /** {@code redis-cli}'s options to reach it (TLS). */
    private final List<String> cliOptions;
    private Process process;

    private RedisServer(Path dir, int port, List<String> options, List<String> cliOptions) {
        this.dir = dir;
        this.port = port;
        this.options = options;
        this.cliOptions = cliOptions;
    }

    static RedisServer start(Path dir) throws IOException, InterruptedException {
        int port = BerthProcess.freePort();
        return started(new RedisServer(dir, port, List.of("--port", Integer.toString(port)), List.of()));
    }

    /** TLS only (no plain port), with {@code server}'s key and certificate; clients need no certificate. */
    static RedisServer startTls(Path dir, Pki.Pair server, Path caCertificate) throws IOException, InterruptedException {
        int port = BerthProcess.freePort();
        return started(new RedisServer(dir, port, List.of("--port", "0", "--tls-port", Integer.toString(port), "--tls-cert-file",
                server.cert().toString(), "--tls-key-file", server.key().toString(), "--tls-ca-cert-file", caCertificate.toString(),
                "--tls-auth-clients", "no"), List.of("--tls", "--cacert", caCertificate.toString())));
    }

    /** A Sentinel watching {@code master} under {@code masterName}; it rewrites its configuration file, so the file is its own. */
    static RedisServer startSentinel(Path dir, RedisServer master, String masterName) throws IOException, InterruptedException {
        int port = BerthProcess.freePort();
        Path conf = dir.resolve("sentinel.conf");
        Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\ndir " + dir + "\nsentinel monitor " + masterName + " 127.0.0.1 "
                + master.port + " 1\n");
        return started(new RedisServer(dir, port, List.of(conf.toString(), "--sentinel"), List.of()));
    }

    private static RedisServer started(RedisServer redis) throws IOException, InterruptedException {
        redis.start();
        return redis;
    }

    void start() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("redis-server"));
        command.addAll(options);
        // Sentinel takes its address from its file
        if (!options.contains("--sentinel")) {
            command.addAll(List.of("--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        }
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("redis-server exited:\n" + Files.readString(dir.resolve("redis.log")));
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not listen on " + port);
    }

    /** SIGKILL of the server this test started (its PID), as a crash: clients see their connections reset. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    int port() {
        return port;
    }

    String addr() {
        return "127.0.0.1:" + port;
    }

    /** {@code redis-cli} with {@code args}: its output, trimmed. */
    String cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        cmd.addAll(cliOptions);
        cmd.addAll(List.of(args));
        Process cli = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        cli.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            kill();
        }
    }
}
