package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.testsupport.TokenIssuer;

/** skopeo against Berth with htpasswd and with token authentication (a token service of the test's own). */
class AuthIT {
    @TempDir
    static Path work;
    static OciLayout layout;

    @BeforeAll
    static void layout() throws Exception {
        layout = OciLayout.write(work.resolve("layout"), 2, 50_000);
    }

    private static String storage(Path data) {
        return "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: " + data + "\n";
    }

    static String bcrypt(String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 6);
    }

    @Test
    void skopeoWithHtpasswd() throws Exception {
        Path dir = Files.createDirectories(work.resolve("htpasswd"));
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "alice:" + bcrypt("s3cret") + "\n");
        String config = storage(dir.resolve("data")) + "auth:\n  htpasswd:\n    realm: berth-it\n    path: " + htpasswd + "\n";
        try (BerthProcess berth = BerthProcess.start(dir, config, List.of(), Map.of())) {
            String ref = "docker://" + berth.hostPort() + "/it/htpasswd:v1";
            Skopeo.Result anonymous = Skopeo.run("copy", "--dest-tls-verify=false", "oci:" + layout.root + ":single", ref);
            assertNotEquals(0, anonymous.exitCode(), anonymous.output());
            Skopeo.Result wrong = Skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", "alice:wrong", "oci:" + layout.root + ":single", ref);
            assertNotEquals(0, wrong.exitCode(), wrong.output());
            assertTrue(wrong.output().toLowerCase().contains("unauthorized") || wrong.output().contains("401"), wrong.output());

            Path authfile = dir.resolve("auth.json");
            Skopeo.Result badLogin = Skopeo.run("login", "--tls-verify=false", "--authfile", authfile.toString(), "-u", "alice", "-p", "nope",
                    berth.hostPort());
            assertNotEquals(0, badLogin.exitCode(), badLogin.output());
            Skopeo.ok("login", "--tls-verify=false", "--authfile", authfile.toString(), "-u", "alice", "-p", "s3cret", berth.hostPort());

            Skopeo.ok("copy", "--dest-tls-verify=false", "--dest-creds", "alice:s3cret", "oci:" + layout.root + ":single", ref);
            String digest = Skopeo.ok("inspect", "--format", "{{.Digest}}", "--tls-verify=false", "--authfile", authfile.toString(), ref).trim();
            assertEquals(layout.singleDigest, digest);
            Path pulled = dir.resolve("pulled");
            Skopeo.ok("copy", "--src-tls-verify=false", "--src-creds", "alice:s3cret", ref, "oci:" + pulled + ":x");
            assertTrue(Files.readString(pulled.resolve("index.json")).contains(layout.singleDigest));
            Skopeo.Result anonymousPull = Skopeo.run("inspect", "--raw", "--tls-verify=false", "--no-creds", ref);
            assertNotEquals(0, anonymousPull.exitCode(), anonymousPull.output());
        }
    }

    @Test
    void skopeoWithTokenAuthPullerCannotPushPusherCan() throws Exception {
        Path dir = Files.createDirectories(work.resolve("token"));
        TokenIssuer issuer = TokenIssuer.in(dir.resolve("issuer"));
        Map<String, TokenServer.User> users = Map.of(
                "pusher", new TokenServer.User("push-pw", Map.of("it/", Set.of("pull", "push", "delete"))),
                "puller", new TokenServer.User("pull-pw", Map.of("it/", Set.of("pull"), "registry:catalog", Set.of("*"))));
        try (TokenServer tokens = new TokenServer(issuer, users)) {
            String config = storage(dir.resolve("data")) + tokens.authSection();
            try (BerthProcess berth = BerthProcess.start(dir, config, List.of(), Map.of())) {
                String ref = "docker://" + berth.hostPort() + "/it/token:v1";
                String src = "oci:" + layout.root + ":multi";
                Skopeo.Result denied = Skopeo.run("copy", "--all", "--dest-tls-verify=false", "--dest-creds", "puller:pull-pw", src, ref);
                assertNotEquals(0, denied.exitCode(), denied.output());
                Skopeo.Result badPassword = Skopeo.run("copy", "--all", "--dest-tls-verify=false", "--dest-creds", "pusher:nope", src, ref);
                assertNotEquals(0, badPassword.exitCode(), badPassword.output());

                Skopeo.ok("copy", "--all", "--dest-tls-verify=false", "--dest-creds", "pusher:push-pw", src, ref);
                String raw = Skopeo.ok("inspect", "--raw", "--tls-verify=false", "--creds", "puller:pull-pw", ref);
                assertEquals(layout.indexDigest, OciLayout.sha256(raw.getBytes(StandardCharsets.UTF_8)));
                Path pulled = dir.resolve("pulled");
                Skopeo.ok("copy", "--all", "--src-tls-verify=false", "--src-creds", "puller:pull-pw", ref, "oci:" + pulled + ":x");
                assertTrue(Files.readString(pulled.resolve("index.json")).contains(layout.indexDigest));
                // outside the allowed prefix nothing is granted
                Skopeo.Result elsewhere = Skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", "pusher:push-pw",
                        "oci:" + layout.root + ":single", "docker://" + berth.hostPort() + "/other/token:v1");
                assertNotEquals(0, elsewhere.exitCode(), elsewhere.output());
                assertTrue(tokens.requests.stream().anyMatch(r -> r.contains("scope=repository%3Ait%2Ftoken%3Apull%2Cpush")
                        || r.contains("scope=repository:it/token:pull,push")), tokens.requests.toString());
            }
        }
    }

    @Test
    void missingHtpasswdFileStopsStartup() throws Exception {
        Path dir = Files.createDirectories(work.resolve("missing"));
        Path config = Files.writeString(dir.resolve("config.yml"), storage(dir.resolve("data"))
                + "auth:\n  htpasswd:\n    realm: r\n    path: " + dir.resolve("no-such-htpasswd") + "\nhttp:\n  addr: 127.0.0.1:"
                + BerthProcess.freePort() + "\n");
        BerthProcess.Result r = BerthProcess.runToExit(dir, config, Map.of());
        assertEquals(1, r.exitCode(), r.output());
        assertTrue(r.output().lines().anyMatch(l -> l.contains("auth.htpasswd.path") && l.contains("no-such-htpasswd")), r.output());
        assertEquals(1, r.output().strip().lines().count(), "one line, no stack trace:\n" + r.output());
    }
}
