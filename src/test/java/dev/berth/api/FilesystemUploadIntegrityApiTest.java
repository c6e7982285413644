package dev.berth.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(FilesystemProfile.class)
class FilesystemUploadIntegrityApiTest extends AbstractUploadIntegrityApiTest {
}
