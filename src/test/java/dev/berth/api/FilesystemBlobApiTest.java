package dev.berth.api;

import static dev.berth.api.RegistryClient.pushBlob;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import dev.berth.api.RawHttp.Body;
import dev.berth.api.RawHttp.End;
import dev.berth.api.RawHttp.Head;
import dev.berth.registry.Digest;
import dev.berth.registry.StoragePaths;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(FilesystemProfile.class)
class FilesystemBlobApiTest extends AbstractBlobApiTest {

    /** The kernel sends a file of a few MiB whole into loopback's socket buffers: a larger one is cut mid-transfer. */
    @Override
    int abandonedBlobSize() {
        return 48 * 1024 * 1024;
    }

    @Test
    void dataThatEndsEarlyCutsTheConnectionAtOnce() throws Exception {
        String repo = repo("blobs");
        // larger than what the socket buffers between Berth and the client hold, twice
        byte[] content = randomBytes(48 * 1024 * 1024);
        int kept = content.length / 2;
        String digest = pushBlob(repo, content);
        Path data = FilesystemProfile.root().resolve(StoragePaths.blobData(Digest.parse(digest)).substring(1));

        try (RawHttp http = RawHttp.connect(STALL)) {
            Head head = http.send("GET", "/v2/" + repo + "/blobs/" + digest).head();
            assertEquals(200, head.status());
            byte[] first = http.body(65536).bytes();
            // the data shrinks under the download (a damaged disk, an operator's mistake)
            try (FileChannel file = FileChannel.open(data, StandardOpenOption.WRITE)) {
                file.truncate(kept);
            }
            Body rest = http.body(content.length - first.length);
            assertEquals(End.CLOSED, rest.end(), () -> "after " + (first.length + rest.bytes().length) + " bytes, waited " + rest.waited());
            assertEquals(kept, first.length + rest.bytes().length, "what the file still held, then the connection closed");
            assertArrayEquals(Arrays.copyOfRange(content, first.length, kept), rest.bytes());
        }
    }
}
