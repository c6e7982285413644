package dev.berth.api;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class InMemoryReferrersApiTest extends AbstractReferrersApiTest {
}
