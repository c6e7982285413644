package dev.berth.api;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class InMemoryUploadIntegrityApiTest extends AbstractUploadIntegrityApiTest {
}
