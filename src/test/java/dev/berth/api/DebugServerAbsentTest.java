package dev.berth.api;

import static dev.berth.api.RegistryClient.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.berth.observability.DebugServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Without {@code http.debug} (the default profile): no debug listener, and no metrics or debug path on the main port. */
@QuarkusTest
class DebugServerAbsentTest {
    @Inject
    DebugServer debug;

    @Test
    void noDebugListenerAndNothingOfItOnTheMainPort() {
        assertTrue(debug.port().isEmpty(), "a debug listener is open");
        assertEquals(404, request().get("/q/metrics").statusCode());
        assertEquals(404, request().get("/metrics").statusCode());
        assertEquals(404, request().get("/debug/health").statusCode());
        Response root = request().get("/");
        assertEquals(200, root.statusCode());
        assertEquals("", root.asString());
        assertEquals(200, request().get("/q/health/ready").statusCode(), "smallrye-health stays on the main port");
    }

    @Test
    void noCleartextHttp2UnlessAskedAsInDistribution() throws Exception {
        assertEquals(HttpClient.Version.HTTP_1_1, RegistryClient.cleartextHttpVersion("/v2/"));
    }
}
