package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The startup check on a whole config.yml with the s3 driver, environment overrides included. */
class S3ConfigValidationTest {
    @TempDir
    Path dir;

    private String file(String s3Section) throws Exception {
        Path f = dir.resolve("config.yml");
        Files.writeString(f, "version: 0.1\nstorage:\n  s3:\n" + s3Section);
        return f.toString();
    }

    @Test
    void aValidS3SectionPasses() throws Exception {
        DistributionConfigFile cfg = DistributionConfigFile.checkBeforeStart(file("    region: us-east-1\n    bucket: b\n    chunksize: 5242880\n"), Map.of());
        assertEquals("s3", cfg.storageDriver());
    }

    @Test
    void aBadValueStopsStartupNamingTheKey() throws Exception {
        ConfigError e = assertThrows(ConfigError.class,
                () -> DistributionConfigFile.checkBeforeStart(file("    region: us-east-1\n    bucket: b\n    chunksize: 1024\n"), Map.of()));
        assertTrue(e.getMessage().startsWith("storage.s3.chunksize: must be between 5242880 and"), e.getMessage());
    }

    @Test
    void environmentOverridesAreCheckedToo() throws Exception {
        String f = file("    region: us-east-1\n    bucket: b\n");
        ConfigError e = assertThrows(ConfigError.class,
                () -> DistributionConfigFile.checkBeforeStart(f, Map.of("REGISTRY_STORAGE_S3_MULTIPARTCOPYMAXCONCURRENCY", "none")));
        assertTrue(e.getMessage().startsWith("storage.s3.multipartcopymaxconcurrency: "), e.getMessage());
    }

    @Test
    void s3awsIsTheSameDriver() throws Exception {
        Path f = dir.resolve("aws.yml");
        Files.writeString(f, "version: 0.1\nstorage:\n  s3aws:\n    region: us-east-1\n    secure: perhaps\n    bucket: b\n");
        ConfigError e = assertThrows(ConfigError.class, () -> DistributionConfigFile.checkBeforeStart(f.toString(), Map.of()));
        assertTrue(e.getMessage().startsWith("storage.s3.secure: "), e.getMessage());
    }

    @Test
    void goDurations() {
        assertEquals(Duration.ofMinutes(20), GoDuration.parse("20m"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1h30m"));
        assertEquals(Duration.ofMillis(1500), GoDuration.parse("1.5s"));
        assertEquals(Duration.ofMillis(300), GoDuration.parse("300ms"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("20"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("1d"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("m"));
    }
}
