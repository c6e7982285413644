package dev.berth.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(S3Profile.class)
class S3UploadIntegrityApiTest extends AbstractUploadIntegrityApiTest {
}
