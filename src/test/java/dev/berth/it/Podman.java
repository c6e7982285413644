package dev.berth.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real podman (Debian package) with its own storage (vfs) and auth file under a test directory. */
final class Podman {
    private final Path home;
    /** podman refuses a run root longer than 50 characters, which a JUnit temp dir can be. */
    private final Path runRoot;

    Podman(Path home) throws IOException {
        this.home = home;
        this.runRoot = Files.createTempDirectory(Path.of("/tmp"), "podrun");
        Files.createDirectories(home);
        // podman insists that REGISTRY_AUTH_FILE exists
        Files.writeString(authFile(), "{}");
    }

    Path authFile() {
        return home.resolve("auth.json");
    }

    Skopeo.Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("podman", "--root", home.resolve("root").toString(), "--runroot",
                runRoot.toString(), "--storage-driver", "vfs", "--events-backend", "none"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("REGISTRY_AUTH_FILE", authFile().toString());
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("podman is not installed (apt-get install -y podman): " + e.getMessage());
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("podman timed out: " + cmd);
        }
        return new Skopeo.Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    String ok(String... args) throws IOException, InterruptedException {
        Skopeo.Result r = run(args);
        if (r.exitCode() != 0) {
            throw new AssertionError("podman " + String.join(" ", args) + " exited " + r.exitCode() + ":\n" + r.output());
        }
        return r.output();
    }
}
