package dev.berth.it;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Berth as a user runs it: {@code java -jar target/quarkus-app/quarkus-run.jar serve CONFIG} in its
 * own process on a loopback port, stopped by its PID. Under {@code ./mvnw verify -Dnative} the
 * native profile (pom.xml) names the executable in {@value #NATIVE_IMAGE_PATH}, and that is run
 * instead: {@code EXECUTABLE serve CONFIG}.
 */
public final class BerthProcess implements AutoCloseable {
    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    /** The system property failsafe gets from the native profile only, as Quarkus' native test launcher reads it. */
    static final String NATIVE_IMAGE_PATH = "native.image.path";

    private final Process process;
    private final int port;
    private final Path log;
    private final boolean https;

    private BerthProcess(Process process, int port, Path log, boolean https) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.https = https;
    }

    /**
     * Starts Berth with {@code configYaml} (its {@code http.addr} is set here) and waits for /v2/.
     * {@code vmArgs} go before {@code serve}: JVM options for the jar, runtime options for the
     * native executable, which takes the memory ones ({@code -Xmx}) and {@code -D} alike.
     */
    public static BerthProcess start(Path workDir, String configYaml, List<String> vmArgs, Map<String, String> env)
            throws IOException, InterruptedException {
        return start(workDir, configYaml, "", vmArgs, env);
    }

    /**
     * As {@link #start(Path, String, List, Map)}, with {@code httpLines} (indented by two spaces,
     * e.g. a {@code tls:} block) added under {@code http:}; with {@code tls.certificate} among them
     * the registry speaks HTTPS only, and readiness is the TLS port accepting connections.
     */
    public static BerthProcess start(Path workDir, String configYaml, String httpLines, List<String> vmArgs, Map<String, String> env)
            throws IOException, InterruptedException {
        int port = freePort();
        Path config = workDir.resolve("config.yml");
        Files.writeString(config, configYaml + "\nhttp:\n  addr: 127.0.0.1:" + port + "\n  secret: it-secret\n" + httpLines);
        Path log = workDir.resolve("berth.log");
        Process process = command(config, vmArgs, env, log).start();
        BerthProcess berth = new BerthProcess(process, port, log, httpLines.contains("certificate:"));
        berth.awaitReady(Duration.ofSeconds(60));
        return berth;
    }

    /** Runs {@code serve CONFIG} expecting it to exit; returns exit code and output. */
    public static Result runToExit(Path workDir, Path config, Map<String, String> env) throws IOException, InterruptedException {
        return runToExit(workDir, List.of("serve", config.toString()), env);
    }

    /** Runs berth with {@code args} expecting it to exit; returns exit code and output (standard output and error). */
    public static Result runToExit(Path workDir, List<String> args, Map<String, String> env) throws IOException, InterruptedException {
        Path log = workDir.resolve("exit.log");
        Process process = command(args, List.of(), env, log).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("berth did not exit; log:\n" + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log));
    }

    public record Result(int exitCode, String output) {
    }

    private static ProcessBuilder command(Path config, List<String> vmArgs, Map<String, String> env, Path log) {
        return command(List.of("serve", config.toString()), vmArgs, env, log);
    }

    private static ProcessBuilder command(List<String> args, List<String> vmArgs, Map<String, String> env, Path log) {
        List<String> cmd = new ArrayList<>();
        String executable = System.getProperty(NATIVE_IMAGE_PATH, "");
        if (!executable.isBlank()) {
            if (!Files.isExecutable(Path.of(executable))) {
                throw new IllegalStateException(executable + " is missing: build the native executable first (./mvnw verify -Dnative)");
            }
            cmd.add(executable);
            cmd.addAll(vmArgs);
        } else {
            if (!Files.exists(JAR)) {
                throw new IllegalStateException(JAR + " is missing: run the package phase first (./mvnw verify)");
            }
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(vmArgs);
            cmd.addAll(List.of("-jar", JAR.toString()));
        }
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("REGISTRY_"));
        pb.environment().putAll(env);
        return pb;
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("berth exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (https) {
                    // the certificate is the test's own; an open TLS port means the server has started
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                        return;
                    }
                }
                HttpURLConnection c = (HttpURLConnection) URI.create(url("/v2/")).toURL().openConnection();
                c.setConnectTimeout(500);
                // 200, or 401 when access control is configured
                int status = c.getResponseCode();
                if (status == 200 || status == 401) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        close();
        throw new IllegalStateException("berth did not answer /v2/ in time:\n" + Files.readString(log));
    }

    public String url(String path) {
        return (https ? "https" : "http") + "://127.0.0.1:" + port + path;
    }

    /** host:port, as container tools name a registry. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** SIGTERM, returning at once: the registry drains (http.draintimeout) and exits. */
    public void terminate() {
        process.destroy();
    }

    /** The exit code, once the process has exited within {@code timeout}. */
    public int awaitExit(Duration timeout) throws InterruptedException, IOException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("berth did not exit within " + timeout + "; log:\n" + log());
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or released. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
