package dev.berth.api;

import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.startUpload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(FilesystemProfile.class)
class FilesystemUploadIntegrityApiTest extends AbstractUploadIntegrityApiTest {

    /** Today every upload cut mid-body kept its file open: +100 descriptors, deleted files never freed. */
    @Test
    void uploadsCutMidBodyLeakNoFileDescriptor() throws Exception {
        List<String> initial = descriptors();
        int before = initial.size();
        for (int i = 0; i < 100; i++) {
            String repo = repo("cut");
            String location = startUpload(repo);
            try (Socket cut = holdBack("PATCH", location, 1 << 20)) {
                awaitLock(repo, uuidOf(location));
                cut.getOutputStream().write(new byte[64 * 1024]);
                cut.getOutputStream().flush();
                cut.setSoLinger(true, 0);
            }
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        List<String> now = descriptors();
        while (now.size() > before + 10 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            now = descriptors();
        }
        List<String> added = new ArrayList<>(now);
        initial.forEach(added::remove);
        assertTrue(now.size() <= before + 10, "descriptors: " + before + " before 100 cut uploads, " + now.size() + " after; new: "
                + added.stream().limit(12).toList());
        assertEquals(List.of(), now.stream().filter(target -> target.startsWith(FilesystemProfile.root().toString())
                && target.endsWith("(deleted)")).toList(), "deleted upload files still held open");
    }

    /** The files this process holds open (sockets are the test client's own keep-alive connections). */
    private static List<String> descriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    return "closed";
                }
            }).filter(target -> target.startsWith("/")).toList();
        }
    }
}
