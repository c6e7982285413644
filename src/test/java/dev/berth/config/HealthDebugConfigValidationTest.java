package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The {@code health} and {@code http.debug} sections: Distribution's keys and defaults, and one line naming the key for a bad value. */
class HealthDebugConfigValidationTest {
    private static final String STORAGE = "storage:\n  inmemory:\n";

    private static DistributionConfigFile parse(String yaml) {
        DistributionConfigFile file = DistributionConfigFile.parse("test.yml", new StringReader(yaml), Map.of());
        new DistributionConfigValidator(file).validate();
        return file;
    }

    private static String error(String yaml) {
        String message = assertThrows(ConfigError.class, () -> parse(yaml)).getMessage();
        assertEquals(1, message.lines().count(), message);
        return message;
    }

    @Test
    void healthSectionAsDistributionWritesIt() {
        DistributionConfigFile file = parse(STORAGE + """
                health:
                  storagedriver:
                    enabled: true
                    interval: 10s
                    threshold: 3
                  file:
                    - file: /tmp/drain
                  http:
                    - uri: http://127.0.0.1:9000/ping
                      headers:
                        Authorization: [Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==]
                      statuscode: 204
                      timeout: 3s
                      interval: 5s
                      threshold: 2
                  tcp:
                    - addr: redis.example.com:6379
                      timeout: 1s
                """);
        HealthSettings health = HealthSettings.read(file.options().section("health"));
        assertEquals(new HealthSettings.Check(Duration.ofSeconds(10), 3), health.storageDriver().orElseThrow());
        assertEquals(new HealthSettings.FileCheck("/tmp/drain", new HealthSettings.Check(Duration.ofSeconds(10), 0)), health.files().get(0));
        HealthSettings.HttpCheck http = health.http().get(0);
        assertEquals(204, http.statusCode());
        assertEquals(Duration.ofSeconds(3), http.timeout());
        assertEquals(new HealthSettings.Check(Duration.ofSeconds(5), 2), http.check());
        // header names are case-insensitive; the file reader lower-cases keys, as for http.headers
        assertEquals(Map.of("authorization", List.of("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")), http.headers());
        HealthSettings.TcpCheck tcp = health.tcp().get(0);
        assertEquals("redis.example.com", tcp.host());
        assertEquals(6379, tcp.port());
        assertEquals(Duration.ofSeconds(10), tcp.check().interval(), "Distribution's default interval");
        assertTrue(HealthSettings.read(parse(STORAGE + "health:\n  storagedriver:\n    enabled: false\n").options().section("health"))
                .storageDriver().isEmpty());
    }

    @Test
    void badHealthValuesNameTheirKey() {
        assertTrue(error(STORAGE + "health:\n  storagedriver:\n    enabled: yes-please\n").startsWith("health.storagedriver.enabled:"));
        assertTrue(error(STORAGE + "health:\n  storagedriver:\n    enabled: true\n    interval: 10\n").startsWith("health.storagedriver.interval:"));
        assertTrue(error(STORAGE + "health:\n  storagedriver:\n    enabled: true\n    threshold: -1\n").startsWith("health.storagedriver.threshold:"));
        assertTrue(error(STORAGE + "health:\n  file:\n    - interval: 1s\n").startsWith("health.file[0].file:"));
        assertTrue(error(STORAGE + "health:\n  http:\n    - uri: ftp://x/\n").startsWith("health.http[0].uri:"));
        assertTrue(error(STORAGE + "health:\n  http:\n    - uri: http://x/\n      statuscode: 999\n").startsWith("health.http[0].statuscode:"));
        assertTrue(error(STORAGE + "health:\n  tcp:\n    - addr: redis\n").startsWith("health.tcp[0].addr:"));
        assertTrue(error(STORAGE + "health:\n  tcp:\n    - addr: redis:6379\n      timeout: soon\n").startsWith("health.tcp[0].timeout:"));
    }

    @Test
    void debugSection() {
        DebugSettings debug = DebugSettings.read(parse(STORAGE + "http:\n  debug:\n    addr: 127.0.0.1:5001\n    prometheus:\n      enabled: true\n")
                .options().section("http.debug"));
        assertEquals(new ListenAddress("127.0.0.1", 5001), debug.addr().orElseThrow());
        assertTrue(debug.prometheusEnabled());
        assertEquals("/metrics", debug.prometheusPath(), "Distribution's default path");
        assertTrue(DebugSettings.read(parse(STORAGE).options().section("http.debug")).addr().isEmpty());
        assertTrue(error(STORAGE + "http:\n  debug:\n    addr: localhost\n").startsWith("http.debug.addr:"));
        assertTrue(error(STORAGE + "http:\n  debug:\n    addr: :5001\n    prometheus:\n      path: metrics\n")
                .startsWith("http.debug.prometheus.path:"));
        assertTrue(error(STORAGE + "http:\n  debug:\n    addr: :5001\n    prometheus:\n      enabled: maybe\n")
                .startsWith("http.debug.prometheus.enabled:"));
    }
}
