package dev.berth.maintenance;

import static dev.berth.storage.StorageTestSupport.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import dev.berth.registry.Digest;
import dev.berth.registry.StoragePaths;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.s3.S3Driver;
import dev.berth.storage.s3.S3ProxyResource;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * GC time and S3 requests, Berth beside registry:2.8.2's {@code garbage-collect}, on S3Proxy: the same
 * storage written twice (one root each), {@code REPOS} repositories of one tagged image of ten blobs, a
 * tenth of them deleted. Requests are counted on the wire by a relay in front of S3Proxy, for both alike.
 * Usage: {@code GcBenchmarkMain [repositories] [report.md] [berth-only]}.
 */
public final class GcBenchmarkMain {
    private static final int LAYERS = 8;

    private GcBenchmarkMain() {
    }

    public static void main(String... args) throws Exception {
        int repositories = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Path report = Path.of(args.length > 1 ? args[1] : "target/gc-benchmark.md");
        // "berth-only": the reference's figures do not change with Berth's code, and its run takes many minutes
        boolean withReference = !(args.length > 2 && args[2].equals("berth-only"));
        S3ProxyResource proxy = new S3ProxyResource();
        proxy.init(Map.of());
        String direct = proxy.start().get("storage.s3.regionendpoint");
        try (CountingRelay relay = new CountingRelay(Integer.parseInt(direct.substring(direct.lastIndexOf(':') + 1)))) {
            String counted = "http://127.0.0.1:" + relay.port();
            long started = System.nanoTime();
            for (String root : withReference ? List.of("/berth", "/reference") : List.of("/berth")) {
                try (S3Driver writer = TestDrivers.s3(direct, root)) {
                    populate(writer, repositories);
                }
            }
            System.out.printf((withReference ? "populated 2 x" : "populated") + " %d repositories in %.0fs%n", repositories, (System.nanoTime() - started) / 1e9);
            Path config = Files.createTempFile("reference-gc", ".yml");
            Files.writeString(config, "version: 0.1\nstorage:\n  s3:\n    region: us-east-1\n    regionendpoint: " + counted
                    + "\n    bucket: " + S3ProxyResource.BUCKET + "\n    accesskey: " + S3ProxyResource.ACCESS_KEY + "\n    secretkey: "
                    + S3ProxyResource.SECRET_KEY + "\n    secure: false\n    v4auth: true\n    rootdirectory: /reference\n");
            StringBuilder table = new StringBuilder("| run | Berth time | reference time | Berth S3 requests | reference S3 requests "
                    + "| blobs deleted (Berth / reference) |\n|---|---|---|---|---|---|\n");
            try (S3Driver berth = TestDrivers.s3(counted, "/berth")) {
                for (boolean dryRun : List.of(true, false)) {
                    relay.reset();
                    long t0 = System.nanoTime();
                    String output = withReference ? reference(config, dryRun) : "";
                    double referenceSeconds = (System.nanoTime() - t0) / 1e9;
                    Map<String, Long> referenceRequests = relay.snapshot();
                    long referenceDeleted = output.lines().filter(l -> l.startsWith("blob eligible for deletion: ")).count();
                    relay.reset();
                    t0 = System.nanoTime();
                    // no timeout: on a loaded machine a run takes minutes
                    GcReport ours = new GarbageCollector(berth, Clock.systemUTC(), Duration.ZERO).run(new GcOptions(dryRun, false, Duration.ZERO),
                            line -> {
                            }).await().indefinitely();
                    double berthSeconds = (System.nanoTime() - t0) / 1e9;
                    Map<String, Long> berthRequests = relay.snapshot();
                    table.append(String.format("| %s | %.1f s | %s | %s | %s | %d / %s |%n", dryRun ? "dry run" : "delete", berthSeconds,
                            withReference ? String.format("%.1f s", referenceSeconds) : "not run", requests(berthRequests),
                            withReference ? requests(referenceRequests) : "not run", ours.blobsDeleted(), withReference ? referenceDeleted : "-"));
                    // each row as soon as it is measured: a long run that is stopped still reports
                    Files.createDirectories(report.toAbsolutePath().getParent());
                    Files.writeString(report, table.toString());
                    System.out.print(table);
                }
            }
        } catch (Exception | Error e) {
            e.printStackTrace();
            throw e;
        } finally {
            proxy.stop();
            System.exit(0);
        }
    }

    /** One tagged image of {@code LAYERS} layers, a config and the manifest per repository; every tenth deleted again. */
    private static void populate(StorageDriver driver, int repositories) {
        // no overall timeout: writing 1,000 repositories takes minutes
        Multi.createFrom().range(0, repositories)
                .onItem().transformToUni(i -> Uni.createFrom().item(() -> {
                    String repository = "bench/repo-" + i;
                    LayoutWriter layout = new LayoutWriter(driver, i * 100);
                    List<Digest> layers = IntStream.range(0, LAYERS)
                            .mapToObj(j -> layout.layer(repository, ("layer " + j + " of " + repository).getBytes(StandardCharsets.UTF_8)))
                            .toList();
                    Digest image = layout.image(repository, "latest", layers);
                    if (i % 10 == 0) {
                        // deleted through the API: the revision and its tag go, the blobs stay for the collector
                        layout.untag(repository, "latest");
                        await(driver.delete(StoragePaths.manifestRevision(repository, image)));
                    }
                    return i;
                }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .merge(32).collect().last().await().indefinitely();
    }

    private static String reference(Path config, boolean dryRun) throws IOException, InterruptedException {
        Path log = Files.createTempFile("reference-gc", ".log");
        ProcessBuilder pb = new ProcessBuilder(dryRun ? List.of("docker-registry", "garbage-collect", "--dry-run", config.toString())
                : List.of("docker-registry", "garbage-collect", config.toString())).redirectErrorStream(true).redirectOutput(log.toFile());
        Process process = pb.start();
        if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException("docker-registry garbage-collect failed:\n" + Files.readString(log));
        }
        return Files.readString(log);
    }

    private static String requests(Map<String, Long> byMethod) {
        long total = byMethod.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder s = new StringBuilder(Long.toString(total)).append(" (");
        byMethod.forEach((method, n) -> s.append(s.charAt(s.length() - 1) == '(' ? "" : ", ").append(method).append(" ").append(n));
        return s.append(")").toString();
    }

    /** A TCP relay to S3Proxy that counts HTTP requests by method (and list calls apart). */
    private static final class CountingRelay implements AutoCloseable {
        private static final Pattern REQUEST_LINE = Pattern.compile("(GET|PUT|POST|DELETE|HEAD) (\\S+) HTTP/1\\.1\r\n");
        private final ServerSocket server;
        private final int target;
        private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

        CountingRelay(int target) throws IOException {
            this.target = target;
            this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::accept, "relay-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        void reset() {
            counts.clear();
        }

        Map<String, Long> snapshot() {
            Map<String, Long> out = new TreeMap<>();
            counts.forEach((k, v) -> out.put(k, v.get()));
            return out;
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                    pump(client.getInputStream(), upstream.getOutputStream(), true, client, upstream);
                    pump(upstream.getInputStream(), client.getOutputStream(), false, client, upstream);
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void pump(InputStream in, OutputStream out, boolean count, Socket a, Socket b) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[65536];
                String carry = "";
                try (a; b) {
                    for (int n; (n = in.read(buffer)) > 0;) {
                        if (count) {
                            String text = carry + new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
                            Matcher m = REQUEST_LINE.matcher(text);
                            int end = 0;
                            while (m.find()) {
                                counts.computeIfAbsent(kind(m.group(1), m.group(2)), k -> new AtomicLong()).incrementAndGet();
                                end = m.end();
                            }
                            String rest = text.substring(end);
                            carry = rest.length() > 512 ? rest.substring(rest.length() - 512) : rest;
                        }
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (IOException e) {
                    // a side closed
                }
            }, "relay");
            t.setDaemon(true);
            t.start();
        }

        /** GET of the bucket (a listing) apart from GET of an object; POST ?delete is DeleteObjects. */
        private static String kind(String method, String target) {
            String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
            boolean bucketLevel = path.equals("/" + S3ProxyResource.BUCKET) || path.equals("/" + S3ProxyResource.BUCKET + "/");
            if (method.equals("GET") && bucketLevel) {
                return target.contains("uploads") ? "ListMultipartUploads" : "List";
            }
            if (method.equals("POST") && target.contains("delete")) {
                return "DeleteObjects";
            }
            return method;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
