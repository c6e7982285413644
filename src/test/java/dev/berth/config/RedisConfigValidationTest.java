package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The {@code redis} section: Distribution 2.8's and 3's keys, mapped onto Quarkus' Redis client; a bad value stops startup with one line. */
class RedisConfigValidationTest {
    private static final String STORAGE = "storage:\n  inmemory:\n";

    private static DistributionConfigFile parse(String yaml, Map<String, String> env) {
        DistributionConfigFile file = DistributionConfigFile.parse("test.yml", new StringReader(yaml), env);
        new DistributionConfigValidator(file).validate();
        return file;
    }

    private static Map<String, String> props(String yaml) {
        return DistributionConfigSourceFactory.toProperties(parse(yaml, Map.of()));
    }

    private static String error(String yaml) {
        String message = assertThrows(ConfigError.class, () -> parse(yaml, Map.of())).getMessage();
        assertEquals(1, message.lines().count(), message);
        return message;
    }

    @Test
    void withoutTheSectionTheClientStaysInactive() {
        Map<String, String> props = props(STORAGE);
        assertEquals("false", props.get("quarkus.redis.active"));
        assertFalse(props.containsKey("quarkus.redis.hosts"));
    }

    @Test
    void distribution28SectionAsItsDocsWriteIt() {
        Map<String, String> props = props(STORAGE + """
                  cache:
                    blobdescriptor: redis
                redis:
                  addr: localhost:6379
                  password: asecret
                  db: 2
                  dialtimeout: 10ms
                  readtimeout: 10ms
                  writetimeout: 10ms
                  pool:
                    maxidle: 16
                    maxactive: 64
                    idletimeout: 300s
                  tls:
                    enabled: false
                """);
        assertEquals("true", props.get("quarkus.redis.active"));
        assertEquals("redis://localhost:6379/2", props.get("quarkus.redis.hosts"));
        assertEquals("asecret", props.get("quarkus.redis.password"));
        assertEquals("PT0.01S", props.get("quarkus.redis.tcp.connection-timeout"));
        assertEquals("PT0.01S", props.get("quarkus.redis.timeout"));
        assertEquals("64", props.get("quarkus.redis.max-pool-size"));
        assertEquals("PT5M", props.get("quarkus.redis.pool-recycle-timeout"));
        assertFalse(props.containsKey("quarkus.redis.client-type"));
    }

    @Test
    void defaultsAreBounded() {
        RedisSettings s = RedisSettings.read(parse(STORAGE + "redis:\n  addr: r:6379\n", Map.of()).options().section("redis")).orElseThrow();
        assertEquals(Duration.ofSeconds(5), s.dialTimeout());
        assertEquals(Duration.ofSeconds(3), s.readTimeout());
        assertEquals(Duration.ofSeconds(3), s.writeTimeout());
        assertEquals(16, s.maxActive());
        assertEquals(0, s.db());
    }

    @Test
    void distribution3SentinelWithUsernameAndTls() {
        Map<String, String> props = props(STORAGE + """
                redis:
                  addrs: [sentinel-1:26379, sentinel-2:26379]
                  mastername: mymaster
                  username: berth
                  password: p
                  poolsize: 20
                  connmaxidletime: 1m
                  tls:
                    enabled: true
                """);
        assertEquals("rediss://berth@sentinel-1:26379/0,rediss://berth@sentinel-2:26379/0", props.get("quarkus.redis.hosts"));
        assertEquals("sentinel", props.get("quarkus.redis.client-type"));
        assertEquals("mymaster", props.get("quarkus.redis.master-name"));
        assertEquals("master", props.get("quarkus.redis.role"));
        assertEquals("true", props.get("quarkus.redis.tls.enabled"));
        assertEquals("HTTPS", props.get("quarkus.redis.tls.hostname-verification-algorithm"));
        assertEquals("20", props.get("quarkus.redis.max-pool-size"));
        assertEquals("PT1M", props.get("quarkus.redis.pool-recycle-timeout"));
    }

    @Test
    void environmentOverridesAsInDistribution() {
        DistributionConfigFile file = parse(STORAGE + "redis:\n  addr: r:6379\n", Map.of("REGISTRY_REDIS_ADDR", "other:6380"));
        assertEquals("redis://other:6380/0", DistributionConfigSourceFactory.toProperties(file).get("quarkus.redis.hosts"));
    }

    @Test
    void badValuesStopStartupWithOneLine() {
        assertTrue(error(STORAGE + "redis:\n  db: 1\n").startsWith("redis.addr: required (or addrs)"), "no address");
        assertTrue(error(STORAGE + "redis:\n  addr: nohost\n").startsWith("redis.addr: must be host:port, got \"nohost\""));
        assertTrue(error(STORAGE + "redis:\n  addr: r:6379\n  readtimeout: soon\n").startsWith("redis.readtimeout: must be a duration"));
        assertTrue(error(STORAGE + "redis:\n  addr: r:6379\n  pool:\n    maxactive: 0\n").startsWith("redis.pool.maxactive: must be between 1"));
        assertTrue(error(STORAGE + "redis:\n  addrs: [a:1, b:2]\n").startsWith("redis.addrs: several addresses need mastername"));
        assertTrue(error(STORAGE + "redis:\n  addr: r:6379\n  tls:\n    certificate: /c.pem\n")
                .startsWith("redis.tls.certificate: not supported by Berth"));
        assertTrue(error(STORAGE + "  cache:\n    blobdescriptor: redis\n").startsWith("storage.cache.blobdescriptor: redis needs the redis section"));
    }

    @Test
    void theSectionIsNoLongerReportedAsUnsupported() {
        assertFalse(UnsupportedSectionsReport.NOT_YET.contains("redis"));
        assertEquals(List.of(), UnsupportedSectionsReport.NOT_YET.stream().filter(s -> s.startsWith("redis")).toList());
    }
}
