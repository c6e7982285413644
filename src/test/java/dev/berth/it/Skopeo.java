package dev.berth.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real skopeo client (Debian package), run as a process. */
final class Skopeo {
    private Skopeo() {
    }

    record Result(int exitCode, String output) {
    }

    static Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("skopeo");
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("skopeo is not installed (apt-get install -y skopeo): " + e.getMessage());
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("skopeo timed out: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Runs skopeo and fails the test, with its output, unless it exits 0. */
    static String ok(String... args) throws IOException, InterruptedException {
        Result r = run(args);
        if (r.exitCode() != 0) {
            throw new AssertionError("skopeo " + String.join(" ", args) + " exited " + r.exitCode() + ":\n" + r.output());
        }
        return r.output();
    }
}
