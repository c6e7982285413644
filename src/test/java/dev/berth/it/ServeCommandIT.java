package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve CONFIG} as a user runs it: clear one-line errors, environment overrides, restart safety. */
class ServeCommandIT {
    @TempDir
    Path work;

    @Test
    void badConfigStopsStartupWithOneLineNamingTheKey() throws Exception {
        Path config = work.resolve("bad.yml");
        Files.writeString(config, "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /tmp/x\n    maxthreads: lots\n");
        BerthProcess.Result r = BerthProcess.runToExit(work, config, Map.of());
        assertEquals(1, r.exitCode(), r.output());
        assertTrue(r.output().contains("storage.filesystem.maxthreads"), r.output());
        assertEquals(1, r.output().strip().lines().count(), r.output());
    }

    /** A storage driver's or middleware's own option, checked before start like every other key. */
    @Test
    void badStorageOptionsStopStartupWithOneLineNamingTheKey() throws Exception {
        Map<String, String> configs = Map.of(
                "storage.s3.chunksize", "storage:\n  s3:\n    region: us-east-1\n    bucket: b\n    chunksize: 1\n",
                "middleware.storage[0].options.duration", "storage:\n  inmemory:\nmiddleware:\n  storage:\n    - name: cloudfront\n"
                        + "      options:\n        baseurl: cdn.example.com\n        keypairid: K\n        privatekey: /k.pem\n"
                        + "        duration: banana\n");
        for (Map.Entry<String, String> bad : configs.entrySet()) {
            Path config = Files.writeString(work.resolve("bad-storage.yml"), "version: 0.1\n" + bad.getValue());
            BerthProcess.Result r = BerthProcess.runToExit(work, config, Map.of());
            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.output().contains(bad.getKey() + ": "), r.output());
            assertEquals(1, r.output().strip().lines().count(), r.output());
        }
    }

    /** Quarkus reported these with a 34-line stack trace; YAML errors keep their position. */
    @Test
    void missingTlsFilesAndBadYamlAreOneLine() throws Exception {
        Path cert = Files.writeString(work.resolve("cert.pem"), "");
        Map<String, String> configs = Map.of(
                "http.tls.certificate: no readable file", "  tls:\n    certificate: " + work.resolve("missing.crt") + "\n    key: " + cert + "\n",
                "http.tls.key: no readable file", "  tls:\n    certificate: " + cert + "\n    key: " + work.resolve("missing.key") + "\n",
                "not valid YAML at line 5, column", " addr: [:5000\n");
        for (Map.Entry<String, String> bad : configs.entrySet()) {
            Path config = Files.writeString(work.resolve("bad-tls.yml"), "version: 0.1\nstorage:\n  inmemory:\nhttp:\n" + bad.getValue());
            BerthProcess.Result r = BerthProcess.runToExit(work, config, Map.of());
            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.output().contains(bad.getKey()), r.output());
            assertEquals(1, r.output().strip().lines().count(), r.output());
        }
    }

    @Test
    void missingConfigFileIsReported() throws Exception {
        BerthProcess.Result r = BerthProcess.runToExit(work, work.resolve("nope.yml"), Map.of());
        assertEquals(1, r.exitCode(), r.output());
        assertTrue(r.output().contains("nope.yml"), r.output());
    }

    @Test
    void helpAndVersionPrintAndExitWithoutStartingTheServer() throws Exception {
        for (List<String> args : List.of(List.of("--help"), List.of("-h"), List.of("help"))) {
            BerthProcess.Result r = BerthProcess.runToExit(work, args, Map.of());
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().startsWith("berth is a container image registry"), r.output());
            assertTrue(r.output().contains("serve") && r.output().contains("--version"), r.output());
        }
        for (List<String> args : List.of(List.of("serve", "--help"), List.of("help", "serve"))) {
            BerthProcess.Result r = BerthProcess.runToExit(work, args, Map.of());
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("berth serve [CONFIG]"), r.output());
        }
        BerthProcess.Result version = BerthProcess.runToExit(work, List.of("--version"), Map.of());
        assertEquals(0, version.exitCode(), version.output());
        // the build's version, filled into the jar; nothing of Quarkus (no log line, no port)
        assertTrue(version.output().matches("berth \\d+\\.\\d+\\.\\d+\\S* \\(.*\\)\n"), version.output());
    }

    @Test
    void unknownCommandOrFlagIsAUsageError() throws Exception {
        for (List<String> args : List.of(List.of("push"), List.of("--port=5000"), List.of("serve", "--debug"))) {
            BerthProcess.Result r = BerthProcess.runToExit(work, args, Map.of());
            assertEquals(2, r.exitCode(), r.output());
            assertTrue(r.output().startsWith("berth: unknown "), r.output());
            assertTrue(r.output().contains("Usage:"), r.output());
        }
    }

    /** A root Berth cannot write (here: under a regular file, which stops root too) stops startup with one line. */
    @Test
    void unwritableRootDirectoryStopsStartupWithOneLine() throws Exception {
        Path notADirectory = Files.writeString(work.resolve("file"), "x");
        Path config = Files.writeString(work.resolve("root.yml"),
                "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + notADirectory.resolve("registry") + "\n");
        BerthProcess.Result r = BerthProcess.runToExit(work, config, Map.of());
        assertEquals(1, r.exitCode(), r.output());
        assertTrue(r.output().contains("storage.filesystem.rootdirectory: " + notADirectory.resolve("registry")), r.output());
        assertTrue(r.output().contains("not writable by uid "), r.output());
    }

    @Test
    void environmentOverridesRootDirectoryAndUploadsSurviveRestart() throws Exception {
        Path data = work.resolve("from-env");
        String config = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + work.resolve("from-file") + "\n";
        Map<String, String> env = Map.of("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", data.toString());
        HttpClient http = HttpClient.newHttpClient();
        String location;
        try (BerthProcess berth = BerthProcess.start(work, config, List.of(), env)) {
            HttpResponse<Void> started = http.send(HttpRequest.newBuilder(URI.create(berth.url("/v2/r/blobs/uploads/")))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(202, started.statusCode());
            HttpResponse<Void> patched = http.send(HttpRequest.newBuilder(URI.create(started.headers().firstValue("Location").orElseThrow()))
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("hello ")).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(202, patched.statusCode());
            location = patched.headers().firstValue("Location").orElseThrow();
        }
        assertTrue(Files.isDirectory(data.resolve("docker/registry/v2/repositories/r/_uploads")), "data went to the env root");
        assertTrue(!Files.exists(work.resolve("from-file")), "file root unused");

        try (BerthProcess berth = BerthProcess.start(work, config, List.of(), env)) {
            // the same upload URL, on a new process (and a new port)
            String moved = location.replaceFirst("http://127\\.0\\.0\\.1:\\d+", berth.url(""));
            HttpResponse<Void> patched = http.send(HttpRequest.newBuilder(URI.create(moved))
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("world")).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(202, patched.statusCode());
            String digest = OciLayout.sha256("hello world".getBytes());
            HttpResponse<Void> done = http.send(HttpRequest.newBuilder(URI.create(patched.headers().firstValue("Location").orElseThrow()
                    + "&digest=" + digest)).PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(201, done.statusCode());
            HttpResponse<String> got = http.send(HttpRequest.newBuilder(URI.create(berth.url("/v2/r/blobs/" + digest))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("hello world", got.body());
        }
    }
}
