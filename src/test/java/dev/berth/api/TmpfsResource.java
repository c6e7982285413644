package dev.berth.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A 2 MiB tmpfs as the filesystem driver's root, so a push can really fill the disk. Mounting
 * needs root (CAP_SYS_ADMIN); without it the root is a plain directory and
 * {@link #MOUNTED} says so, for the tests to skip what needs the small disk.
 */
public class TmpfsResource implements QuarkusTestResourceLifecycleManager {
    static final String MOUNTED = "berth.test.tmpfs-mounted";
    static final long SIZE = 2 * 1024 * 1024;

    private Path dir;
    private boolean mounted;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("berth-tmpfs");
            mounted = run("mount", "-t", "tmpfs", "-o", "size=" + SIZE, "tmpfs", dir.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.of("storage.filesystem.rootdirectory", dir.toString(), MOUNTED, Boolean.toString(mounted));
    }

    @Override
    public void stop() {
        if (mounted) {
            run("umount", dir.toString());
        }
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover empty directory under the temp dir
        }
    }

    private static boolean run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
