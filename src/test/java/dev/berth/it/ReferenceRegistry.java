package dev.berth.it;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.berth.testsupport.Pki;

/**
 * The reference registry, CNCF Distribution 2.8.2 (Debian's {@code docker-registry}), run as a
 * process on a loopback port and stopped by its PID.
 */
final class ReferenceRegistry implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private ReferenceRegistry(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts it with {@code storageYaml} (the {@code storage:} section and anything after it). */
    static ReferenceRegistry start(Path workDir, String storageYaml) throws IOException, InterruptedException {
        return start(workDir, storageYaml, "");
    }

    /** Serving HTTPS with {@code certificate}'s key pair. */
    static ReferenceRegistry startTls(Path workDir, String storageYaml, Pki.Pair certificate) throws IOException, InterruptedException {
        return start(workDir, storageYaml, "  tls:\n    certificate: " + certificate.cert() + "\n    key: " + certificate.key() + "\n");
    }

    private static ReferenceRegistry start(Path workDir, String storageYaml, String httpLines) throws IOException, InterruptedException {
        int port = BerthProcess.freePort();
        Path config = workDir.resolve("reference.yml");
        Files.writeString(config, "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n" + storageYaml
                + "\nhttp:\n  addr: 127.0.0.1:" + port + "\n  secret: reference-secret\n" + httpLines);
        Path log = workDir.resolve("reference.log");
        ProcessBuilder pb = new ProcessBuilder("docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // Distribution 2.8 panics at start when AWS_CA_BUNDLE is set
        pb.environment().remove("AWS_CA_BUNDLE");
        pb.environment().keySet().removeIf(k -> k.startsWith("REGISTRY_"));
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new AssertionError("docker-registry is not installed (apt-get install -y docker-registry): " + e.getMessage());
        }
        ReferenceRegistry registry = new ReferenceRegistry(process, port, log);
        registry.awaitReady();
        return registry;
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited:\n" + Files.readString(log));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/v2/").toURL().openConnection();
                c.setConnectTimeout(500);
                // 200, or 401 when access control is configured, or 400 (plain HTTP to its HTTPS port) with TLS
                int status = c.getResponseCode();
                if (status == 200 || status == 401 || status == 400) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        close();
        throw new IllegalStateException("docker-registry did not answer in time:\n" + Files.readString(log));
    }

    String hostPort() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
