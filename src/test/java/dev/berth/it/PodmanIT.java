package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.testsupport.TokenIssuer;

/**
 * podman (no container engine needed: vfs storage, push and pull only) logs in, pushes and pulls
 * through Berth with htpasswd and with token authentication.
 */
class PodmanIT {
    @TempDir
    static Path work;
    static Path layout;

    /** An OCI layout holding one image whose layer is a real tar (podman unpacks it into its storage). */
    @BeforeAll
    static void image() throws Exception {
        layout = Files.createDirectories(work.resolve("image-layout"));
        Files.createDirectories(layout.resolve("blobs/sha256"));
        byte[] tar = tar("hello.txt", "hello from berth\n".getBytes(StandardCharsets.UTF_8));
        byte[] layer = OciLayout.gzip(tar);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + OciLayout.sha256(tar) + "\"]}}").getBytes(StandardCharsets.UTF_8);
        byte[] manifest = OciLayout.oneLayerManifest(config, layer, "application/vnd.oci.image.layer.v1.tar+gzip").getBytes(StandardCharsets.UTF_8);
        for (byte[] blob : List.of(layer, config, manifest)) {
            Files.write(layout.resolve("blobs/sha256/" + OciLayout.sha256(blob).substring(7)), blob);
        }
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + OciLayout.sha256(manifest) + "\",\"size\":"
                + manifest.length + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}]}");
    }

    /** A ustar archive of one regular file. */
    static byte[] tar(String name, byte[] content) {
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644");
        put(header, 108, "0000000");
        put(header, 116, "0000000");
        put(header, 124, String.format("%011o", content.length));
        put(header, 136, String.format("%011o", 1_700_000_000L));
        header[156] = '0';
        put(header, 257, "ustar");
        put(header, 263, "00");
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o", sum));
        header[154] = 0;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header);
        out.writeBytes(content);
        out.writeBytes(new byte[(512 - content.length % 512) % 512]);
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static void put(byte[] header, int offset, String value) {
        byte[] b = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, header, offset, b.length);
    }

    /** Loads the layout into podman's storage as {@code name}. */
    private static void load(Podman podman, String name) throws Exception {
        String id = podman.ok("pull", "oci:" + layout + ":v1").strip().lines().reduce((a, b) -> b).orElseThrow();
        podman.ok("tag", id, name);
    }

    /** push (digest file), remove locally, pull again: the pulled digest is the pushed one and the registry serves it. */
    private static void roundTrip(Podman podman, BerthProcess berth, String image) throws Exception {
        load(podman, image);
        Path digestFile = work.resolve("digest-" + System.nanoTime());
        podman.ok("push", "--tls-verify=false", "--digestfile", digestFile.toString(), image);
        String pushed = Files.readString(digestFile).strip();
        assertTrue(pushed.startsWith("sha256:"), pushed);
        podman.ok("rmi", "--all", "--force");
        assertEquals("", podman.ok("images", "-q").strip(), "local storage emptied");
        podman.ok("pull", "--tls-verify=false", image);
        assertEquals(pushed, podman.ok("image", "inspect", "--format", "{{.Digest}}", image).strip());
        podman.ok("rmi", "--all", "--force");
    }

    @Test
    void podmanWithHtpasswd() throws Exception {
        Path dir = Files.createDirectories(work.resolve("htpasswd"));
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "pod:" + AuthIT.bcrypt("pod-pw") + "\n");
        String config = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + dir.resolve("data")
                + "\nauth:\n  htpasswd:\n    realm: berth-podman\n    path: " + htpasswd + "\n";
        try (BerthProcess berth = BerthProcess.start(dir, config, List.of(), Map.of())) {
            Podman podman = new Podman(dir.resolve("podman"));
            String image = berth.hostPort() + "/podman/hello:v1";
            load(podman, image);
            Skopeo.Result anonymous = podman.run("push", "--tls-verify=false", image);
            assertNotEquals(0, anonymous.exitCode(), anonymous.output());
            Skopeo.Result bad = podman.run("login", "--tls-verify=false", "-u", "pod", "-p", "wrong", berth.hostPort());
            assertNotEquals(0, bad.exitCode(), bad.output());
            assertTrue(bad.output().contains("invalid username/password"), bad.output());
            podman.run("rmi", "--all", "--force");

            assertTrue(podman.ok("login", "--tls-verify=false", "-u", "pod", "-p", "pod-pw", berth.hostPort()).contains("Login Succeeded"));
            roundTrip(podman, berth, image);
            podman.ok("logout", berth.hostPort());
            Skopeo.Result loggedOut = podman.run("pull", "--tls-verify=false", image);
            assertNotEquals(0, loggedOut.exitCode(), loggedOut.output());
        }
    }

    @Test
    void podmanWithTokenAuth() throws Exception {
        Path dir = Files.createDirectories(work.resolve("token"));
        TokenIssuer issuer = TokenIssuer.in(dir.resolve("issuer"));
        Map<String, TokenServer.User> users = Map.of(
                "pusher", new TokenServer.User("push-pw", Map.of("podman/", Set.of("pull", "push"))),
                "puller", new TokenServer.User("pull-pw", Map.of("podman/", Set.of("pull"))));
        try (TokenServer tokens = new TokenServer(issuer, users)) {
            String config = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + dir.resolve("data") + "\n" + tokens.authSection();
            try (BerthProcess berth = BerthProcess.start(dir, config, List.of(), Map.of())) {
                Podman podman = new Podman(dir.resolve("podman"));
                String image = berth.hostPort() + "/podman/token:v1";
                podman.ok("login", "--tls-verify=false", "-u", "puller", "-p", "pull-pw", berth.hostPort());
                load(podman, image);
                Skopeo.Result denied = podman.run("push", "--tls-verify=false", image);
                assertNotEquals(0, denied.exitCode(), denied.output());
                podman.ok("rmi", "--all", "--force");

                podman.ok("login", "--tls-verify=false", "-u", "pusher", "-p", "push-pw", berth.hostPort());
                roundTrip(podman, berth, image);
            }
        }
    }
}
