package dev.berth.auth;

import static dev.berth.auth.Http.anonymous;
import static dev.berth.auth.Http.basic;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

import org.junit.jupiter.api.Test;

import dev.berth.testsupport.LogCapture;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@code auth.htpasswd}: Basic challenge, bcrypt only, the file re-read when it changes. */
@QuarkusTest
@TestProfile(HtpasswdProfile.class)
class HtpasswdApiTest {
    static final String CHALLENGE = "Basic realm=\"" + HtpasswdProfile.REALM + "\"";

    @Test
    void withoutCredentialsTheChallengeIsBasic() {
        anonymous().get("/v2/").then().statusCode(401).header("WWW-Authenticate", equalTo(CHALLENGE))
                .body("errors[0].code", equalTo("UNAUTHORIZED"));
        anonymous().get("/v2/a/b/tags/list").then().statusCode(401).header("WWW-Authenticate", equalTo(CHALLENGE))
                .body("errors[0].code", equalTo("UNAUTHORIZED"))
                .body("errors[0].detail", equalTo(List.of(Map.of("Type", "repository", "Name", "a/b", "Action", "pull"))));
        anonymous().header("Authorization", "Bearer abc").get("/v2/").then().statusCode(401).header("WWW-Authenticate", equalTo(CHALLENGE));
        anonymous().header("Authorization", "Basic !!!notbase64").get("/v2/").then().statusCode(401);
    }

    @Test
    void rightPasswordsOpenEverythingWrongOnesDoNot() {
        basic("alice", "alice-secret").get("/v2/").then().statusCode(200);
        basic("bob", "bob-secret").get("/v2/").then().statusCode(200);
        // twice: the remembered credential answers the same
        basic("alice", "alice-secret").get("/v2/").then().statusCode(200);
        // any valid user may push anywhere and read the catalog (no per-repository authorization)
        String repo = Http.repo("htpasswd");
        byte[] blob = Http.randomBytes(700);
        String digest = Http.pushBlob(basic("bob", "bob-secret"), repo, blob);
        assertArrayEquals(blob, basic("alice", "alice-secret").get("/v2/" + repo + "/blobs/" + digest).then().statusCode(200)
                .extract().asByteArray());
        basic("alice", "alice-secret").get("/v2/_catalog").then().statusCode(200);

        for (String[] bad : List.of(new String[] {"alice", "bob-secret"}, new String[] {"alice", "alice-secret "},
                new String[] {"alice", ""}, new String[] {"mallory", "alice-secret"}, new String[] {"", ""},
                new String[] {"sha", "password"}, new String[] {"apr", "password"})) {
            basic(bad[0], bad[1]).get("/v2/").then().statusCode(401).header("WWW-Authenticate", equalTo(CHALLENGE))
                    .body("errors[0].code", equalTo("UNAUTHORIZED"));
        }
    }

    @Test
    void theFileIsReReadWhenItChangesAndNonBcryptEntriesAreLoggedAndRefused() throws Exception {
        LogCapture warnings = LogCapture.of(HtpasswdFile.class.getName());
        try {
            basic("carol", "carol-1").get("/v2/").then().statusCode(401);
            basic("alice", "alice-secret").get("/v2/").then().statusCode(200);
            String content = "alice:" + HtpasswdProfile.bcrypt("2y", "alice-new") + "\n"
                    + "carol:" + HtpasswdProfile.bcrypt("2b", "carol-1") + "\n"
                    + "md5user:$apr1$abcdefgh$0123456789abcdefghijkl\n";
            Files.writeString(HtpasswdProfile.file(), content, StandardCharsets.UTF_8);
            // a coarse file system clock must still see a new mtime
            Files.setLastModifiedTime(HtpasswdProfile.file(), FileTime.from(Instant.now().plusSeconds(1)));

            awaitStatus(() -> basic("alice", "alice-secret").get("/v2/").statusCode(), 401);
            basic("alice", "alice-new").get("/v2/").then().statusCode(200);
            basic("carol", "carol-1").get("/v2/").then().statusCode(200);
            basic("bob", "bob-secret").get("/v2/").then().statusCode(401);
            basic("md5user", "x").get("/v2/").then().statusCode(401);
            assertTrue(warnings.messages().stream().anyMatch(w -> w.startsWith("WARN") && w.contains("md5user") && w.contains("bcrypt")),
                    warnings.lines()::toString);
        } finally {
            warnings.close();
            Files.writeString(HtpasswdProfile.file(), HtpasswdProfile.initialContent(), StandardCharsets.UTF_8);
            Files.setLastModifiedTime(HtpasswdProfile.file(), FileTime.from(Instant.now().plusSeconds(3)));
            awaitStatus(() -> basic("alice", "alice-secret").get("/v2/").statusCode(), 200);
        }
    }

    @Test
    void anEditWithAMalformedLineStillTakesEffect() throws Exception {
        basic("bob", "bob-secret").get("/v2/").then().statusCode(200);
        try {
            // bob is removed in the same edit that adds a broken entry: the edit must not be ignored
            List<String> log = HtpasswdFileTest.logged(() -> {
                Files.writeString(HtpasswdProfile.file(), "alice:" + HtpasswdProfile.bcrypt("2y", "alice-secret") + "\nbroken:$2y$\n",
                        StandardCharsets.UTF_8);
                HtpasswdFileTest.touch(HtpasswdProfile.file());
                awaitStatus(() -> basic("bob", "bob-secret").get("/v2/").statusCode(), 401);
            });
            basic("alice", "alice-secret").get("/v2/").then().statusCode(200);
            assertTrue(log.stream().anyMatch(w -> w.startsWith("WARN") && w.contains("line 2:")), log::toString);
        } finally {
            Files.writeString(HtpasswdProfile.file(), HtpasswdProfile.initialContent(), StandardCharsets.UTF_8);
            HtpasswdFileTest.touch(HtpasswdProfile.file());
            awaitStatus(() -> basic("bob", "bob-secret").get("/v2/").statusCode(), 200);
        }
    }

    private static void awaitStatus(IntSupplier status, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 8_000_000_000L;
        int last = -1;
        while (System.nanoTime() < deadline) {
            last = status.getAsInt();
            if (last == expected) {
                return;
            }
            Thread.sleep(200);
        }
        assertEquals(expected, last, "status within 8 s of the file change");
    }
}
