package dev.berth.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.it.BerthProcess;
import dev.berth.registry.Digest;

/**
 * {@code berth garbage-collect} as a user runs it, on filesystem storage, side by side with
 * registry:2's {@code registry garbage-collect} (Debian's {@code docker-registry} 2.8.2): for images
 * without referrers both find the same blobs unreferenced, and storage collected by Berth is
 * consistent for registry:2.
 */
class GarbageCollectCommandIT {
    @TempDir
    Path work;

    /** Pushes and deletes: tagged and untagged images, a shared layer, a deleted repository, an orphan blob, a retag. */
    private Path populate(int port) throws IOException {
        Path root = work.resolve("registry");
        LayoutWriter layout = new LayoutWriter(TestDrivers.filesystem(root));
        Digest shared = layout.layer("team/app");
        layout.image("team/app", "v1", List.of(shared, layout.layer("team/app")));
        layout.image("team/app", null, List.of(layout.layer("team/app")));
        Digest old = layout.image("team/app", "v2", List.of(layout.layer("team/app")));
        layout.untag("team/app", "v2");
        layout.tag("team/app", "v3", old);
        layout.image("team/other", "latest", List.of(layout.layer("team/other", new byte[0]), layout.layer("team/other")));
        layout.image("team/gone", "v1", List.of(layout.layer("team/gone"), shared));
        layout.deleteRepository("team/gone");
        layout.blob(new byte[] { 4, 2 });
        // no repository without any tag: registry:2.8's --delete-untagged fails on one ("failed to retrieve tags")
        Path config = work.resolve("config.yml");
        Files.writeString(config, "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: " + root
                + "\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:" + port + "\n");
        return config;
    }

    private static Set<String> eligible(String output) {
        return output.lines().filter(l -> l.startsWith("blob eligible for deletion: "))
                .map(l -> l.substring("blob eligible for deletion: ".length()).trim()).collect(Collectors.toCollection(TreeSet::new));
    }

    private BerthProcess.Result berth(List<String> args) throws Exception {
        return BerthProcess.runToExit(work, args, Map.of());
    }

    private String reference(List<String> args) throws Exception {
        Path log = work.resolve("reference-gc.log");
        ProcessBuilder pb = new ProcessBuilder(
                Stream.concat(Stream.of("docker-registry", "garbage-collect"), args.stream()).toList())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new AssertionError("docker-registry is not installed (apt-get install -y docker-registry): " + e.getMessage());
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "docker-registry garbage-collect did not exit");
        String output = Files.readString(log);
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    @Test
    void agreesWithRegistryGarbageCollectAndLeavesStorageItReads() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // the configured port is taken: a command that tried to serve would fail to start
            Path config = populate(taken.getLocalPort());
            for (List<String> flags : List.of(List.<String>of(), List.of("--delete-untagged"))) {
                Set<String> theirs = eligible(reference(concat(List.of("--dry-run"), flags, config)));
                BerthProcess.Result ours = berth(concat(List.of("garbage-collect", "--dry-run", "--grace", "0s"), flags, config));
                assertEquals(0, ours.exitCode(), ours.output());
                assertFalse(theirs.isEmpty(), "the reference found garbage");
                assertEquals(theirs, eligible(ours.output()), "flags " + flags + "\nberth:\n" + ours.output());
                assertTrue(ours.output().contains("(dry run: nothing deleted)"), ours.output());
            }
            BerthProcess.Result real = berth(List.of("garbage-collect", "-m", "--grace=0s", config.toString()));
            assertEquals(0, real.exitCode(), real.output());
            assertTrue(real.output().lines().anyMatch(l -> l.startsWith("gc: ") && l.contains("blobs kept") && l.contains("bytes freed")),
                    real.output());
            assertFalse(real.output().contains("Listening on"), real.output());
            // registry:2 reads what Berth left: nothing more to collect, no error
            assertEquals(Set.of(), eligible(reference(List.of("--dry-run", "--delete-untagged", config.toString()))));
        }
    }

    @Test
    void badFlagsAreUsageErrorsAndHelpNamesTheFlags() throws Exception {
        BerthProcess.Result bad = berth(List.of("garbage-collect", "--grace", "soon"));
        assertEquals(2, bad.exitCode(), bad.output());
        assertTrue(bad.output().contains("--grace"), bad.output());
        BerthProcess.Result help = berth(List.of("garbage-collect", "--help"));
        assertEquals(0, help.exitCode(), help.output());
        assertTrue(help.output().contains("--delete-untagged") && help.output().contains("--dry-run"), help.output());
    }

    private static List<String> concat(List<String> a, List<String> b, Path config) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.add(config.toString());
        return all;
    }
}
