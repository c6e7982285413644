package dev.berth.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.berth.config.ConfigError;

class S3SettingsTest {
    private static final long MIB = 1024 * 1024;

    private static S3Settings parse(Map<String, String> keys) {
        return S3Settings.parse(keys, "test.yml");
    }

    @Test
    void everyKeyIsParsed() {
        Map<String, String> keys = new HashMap<>();
        keys.put("region", "eu-west-1");
        keys.put("regionendpoint", "https://minio.example.com:9000");
        keys.put("forcepathstyle", "true");
        keys.put("bucket", "registry-bucket");
        keys.put("rootdirectory", "/some/root/");
        keys.put("accesskey", "AKID");
        keys.put("secretkey", "SECRET");
        keys.put("secure", "false");
        keys.put("skipverify", "true");
        keys.put("v4auth", "true");
        keys.put("chunksize", Long.toString(16 * MIB));
        keys.put("multipartcopychunksize", Long.toString(64 * MIB));
        keys.put("multipartcopymaxconcurrency", "7");
        keys.put("multipartcopythresholdsize", Long.toString(128 * MIB));
        keys.put("encrypt", "true");
        keys.put("keyid", "arn:aws:kms:eu-west-1:1:key/abc");
        keys.put("storageclass", "reduced_redundancy");
        keys.put("objectacl", "bucket-owner-full-control");
        keys.put("useragent", "berth-test/1");
        keys.put("redirectexpiry", "1h30m");
        keys.put("usedualstack", "true");
        keys.put("accelerate", "true");
        keys.put("usefipsendpoint", "true");
        keys.put("loglevel", "debug,debugwithsigning");
        keys.put("readconnections", "50");
        keys.put("readwait", "1m30s");
        keys.put("multipartconcurrency", "8");
        keys.put("readahead", "6");
        keys.put("readaheadrangesize", Long.toString(2 * MIB));

        S3Settings s = parse(keys);
        assertEquals("eu-west-1", s.region());
        assertEquals(Optional.of(URI.create("https://minio.example.com:9000")), s.regionEndpoint());
        assertTrue(s.forcePathStyle());
        assertEquals("registry-bucket", s.bucket());
        assertEquals("/some/root/", s.rootDirectory());
        assertEquals(Optional.of("AKID"), s.accessKey());
        assertEquals(Optional.of("SECRET"), s.secretKey());
        assertFalse(s.secure());
        assertTrue(s.skipVerify());
        assertEquals(16 * MIB, s.chunkSize());
        assertEquals(64 * MIB, s.multipartCopyChunkSize());
        assertEquals(7, s.multipartCopyMaxConcurrency());
        assertEquals(128 * MIB, s.multipartCopyThresholdSize());
        assertTrue(s.encrypt());
        assertEquals(Optional.of("arn:aws:kms:eu-west-1:1:key/abc"), s.keyId());
        assertEquals("REDUCED_REDUNDANCY", s.storageClass());
        assertEquals("bucket-owner-full-control", s.objectAcl());
        assertEquals(Optional.of("berth-test/1"), s.userAgent());
        assertEquals(Duration.ofMinutes(90), s.redirectExpiry());
        assertTrue(s.useDualStack());
        assertTrue(s.accelerate());
        assertTrue(s.useFipsEndpoint());
        assertEquals(50, s.readConnections());
        assertEquals(Duration.ofSeconds(90), s.readWait());
        assertEquals(8, s.multipartConcurrency());
        assertEquals(6, s.readAhead());
        assertEquals(2 * MIB, s.readAheadRangeSize());
    }

    @Test
    void defaultsAreDistributions() {
        S3Settings s = parse(Map.of("region", "us-west-2", "bucket", "b"));
        assertEquals(Optional.empty(), s.regionEndpoint());
        assertFalse(s.forcePathStyle());
        assertEquals("", s.rootDirectory());
        assertEquals(Optional.empty(), s.accessKey(), "absent keys mean the default credential chain");
        assertTrue(s.secure());
        assertFalse(s.skipVerify());
        assertEquals(10 * MIB, s.chunkSize());
        assertEquals(32 * MIB, s.multipartCopyChunkSize());
        assertEquals(100, s.multipartCopyMaxConcurrency());
        assertEquals(32 * MIB, s.multipartCopyThresholdSize());
        assertFalse(s.encrypt());
        assertEquals("STANDARD", s.storageClass());
        assertEquals("private", s.objectAcl());
        assertEquals(Duration.ofMinutes(20), s.redirectExpiry());
        assertFalse(s.useDualStack() || s.accelerate() || s.useFipsEndpoint());
        assertEquals(200, s.readConnections());
        assertEquals(Duration.ofSeconds(10), s.readWait());
        assertEquals(4, s.multipartConcurrency());
        assertEquals(4, s.readAhead());
        assertEquals(8 * MIB, s.readAheadRangeSize());
        assertEquals(Optional.empty(), S3Clients.endpoint(s), "AWS's own endpoint, resolved by the SDK");
    }

    @Test
    void anEndpointWithoutRegionSignsForUsEast1AndTakesItsSchemeFromSecure() {
        S3Settings s = parse(Map.of("regionendpoint", "minio:9000", "bucket", "b", "secure", "false"));
        assertEquals("us-east-1", s.region());
        assertEquals(Optional.of(URI.create("http://minio:9000")), s.regionEndpoint());
        assertEquals(Optional.of(URI.create("https://minio:9000")),
                parse(Map.of("regionendpoint", "minio:9000", "bucket", "b")).regionEndpoint());
        assertEquals(Optional.of(URI.create("http://s3.eu-central-1.amazonaws.com")),
                S3Clients.endpoint(parse(Map.of("region", "eu-central-1", "bucket", "b", "secure", "false"))));
    }

    @ParameterizedTest
    @CsvSource({
            "bucket, ''",
            "bucket, 'has space'",
            "region, 'EU WEST'",
            "chunksize, 1048576",
            "chunksize, ten",
            "chunksize, 2147483648",
            "multipartcopychunksize, 100",
            "multipartcopymaxconcurrency, 0",
            "multipartcopythresholdsize, -1",
            "secure, maybe",
            "forcepathstyle, yes",
            "skipverify, 2",
            "encrypt, on",
            "v4auth, false",
            "storageclass, COLD",
            "objectacl, everyone",
            "regionendpoint, 'ftp://host'",
            "redirectexpiry, 20",
            "redirectexpiry, 200h",
            "redirectexpiry, 0s",
            "usedualstack, fast",
            "accelerate, 3",
            "usefipsendpoint, fips",
            "loglevel, verbose",
            "readconnections, 0",
            "readconnections, many",
            "readwait, 0s",
            "readwait, 1h",
            "readwait, 10",
            "multipartconcurrency, 0",
            "multipartconcurrency, 65",
            "multipartconcurrency, four",
            "readahead, 0",
            "readahead, 65",
            "readaheadrangesize, 1000",
            "readaheadrangesize, 1g",
    })
    void badValuesAreRejectedNamingTheKey(String key, String value) {
        Map<String, String> keys = new HashMap<>(Map.of("region", "us-east-1", "bucket", "b"));
        keys.put(key, value);
        ConfigError e = assertThrows(ConfigError.class, () -> parse(keys));
        assertTrue(e.getMessage().startsWith("storage.s3." + key + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("test.yml"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void requiredKeysAreNamed() {
        assertTrue(assertThrows(ConfigError.class, () -> parse(Map.of("region", "us-east-1"))).getMessage().startsWith("storage.s3.bucket: "));
        assertTrue(assertThrows(ConfigError.class, () -> parse(Map.of("bucket", "b"))).getMessage().startsWith("storage.s3.region: "));
        assertTrue(assertThrows(ConfigError.class, () -> parse(Map.of("bucket", "b", "region", "us-east-1", "accesskey", "a")))
                .getMessage().startsWith("storage.s3.secretkey: "));
    }
}
