package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.berth.proxy.ProxySettings;

/** The Distribution config file, its REGISTRY_* overrides and the checks that stop startup. */
class DistributionConfigFileTest {

    private static DistributionConfigFile parse(String yaml, Map<String, String> env) {
        DistributionConfigFile file = DistributionConfigFile.parse("test.yml", new StringReader(yaml), env);
        new DistributionConfigValidator(file).validate();
        return file;
    }

    private static String error(String yaml, Map<String, String> env) {
        return assertThrows(ConfigError.class, () -> parse(yaml, env)).getMessage();
    }

    @Test
    void flattensNestedKeysAndLists() {
        DistributionConfigFile f = parse("""
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: /srv/reg
                http:
                  addr: 127.0.0.1:5055
                  headers:
                    X-Content-Type-Options: [nosniff]
                middleware:
                  storage:
                    - name: cloudfront
                      disabled: true
                      options:
                        baseurl: https://d.example.net
                """, Map.of());
        assertEquals("filesystem", f.storageDriver());
        assertEquals("/srv/reg", f.properties().get("storage.filesystem.rootdirectory"));
        assertEquals("nosniff", f.properties().get("http.headers.x-content-type-options[0]"));
        assertEquals("cloudfront", f.properties().get("middleware.storage[0].name"));
        assertEquals("https://d.example.net", f.properties().get("middleware.storage[0].options.baseurl"));
    }

    @Test
    void emptyDriverSectionSelectsIt() {
        assertEquals("inmemory", parse("storage:\n  inmemory:\n", Map.of()).storageDriver());
        assertEquals("s3", parse("storage:\n  s3aws:\n    region: us-east-1\n    bucket: b\n", Map.of()).storageDriver());
    }

    @Test
    void environmentOverridesTheFile() {
        DistributionConfigFile f = parse("storage:\n  filesystem:\n    rootdirectory: /a\nhttp:\n  addr: :5000\n",
                Map.of("REGISTRY_HTTP_ADDR", "127.0.0.1:5055", "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", "/b",
                        "REGISTRY_MIDDLEWARE_STORAGE_0_NAME", "redirect",
                        "REGISTRY_MIDDLEWARE_STORAGE_0_OPTIONS_BASEURL", "https://files.example.com", "PATH", "/bin"));
        assertEquals("127.0.0.1:5055", f.properties().get("http.addr"));
        assertEquals("/b", f.properties().get("storage.filesystem.rootdirectory"));
        assertEquals("redirect", f.properties().get("middleware.storage[0].name"));
        Map<String, String> props = DistributionConfigSourceFactory.toProperties(f);
        assertEquals("5055", props.get("quarkus.http.port"));
        assertEquals("127.0.0.1", props.get("quarkus.http.host"));
    }

    /** quarkus:dev: loopback unless a host is written, and the file (not an embedded copy) watched for restarts. */
    @Test
    void devModeListensOnLoopbackAndWatchesTheFile() {
        DistributionConfigFile anyHost = parse("storage:\n  inmemory:\nhttp:\n  addr: :5055\n", Map.of());
        Map<String, String> props = DistributionConfigSourceFactory.toProperties(anyHost);
        assertEquals("0.0.0.0", props.get("quarkus.http.host"), "serve listens on every interface, as registry:2");
        DistributionConfigSourceFactory.forDevMode(anyHost, props);
        assertEquals("localhost", props.get("quarkus.http.host"));
        assertEquals("5055", props.get("quarkus.http.port"));
        assertEquals(Path.of("test.yml").toAbsolutePath().toString(), props.get("quarkus.live-reload.watched-resources"));

        DistributionConfigFile written = parse("storage:\n  inmemory:\nhttp:\n  addr: 0.0.0.0:5055\n", Map.of());
        Map<String, String> kept = DistributionConfigSourceFactory.toProperties(written);
        DistributionConfigSourceFactory.forDevMode(written, kept);
        assertEquals("0.0.0.0", kept.get("quarkus.http.host"));
    }

    @Test
    void registryStorageEnvironmentReplacesTheDriver() {
        DistributionConfigFile f = parse("storage:\n  filesystem:\n    rootdirectory: /a\n", Map.of("REGISTRY_STORAGE", "inmemory"));
        assertEquals("inmemory", f.storageDriver());
        assertTrue(f.properties().keySet().stream().noneMatch(k -> k.startsWith("storage.filesystem")));
    }

    @Test
    void listenAddressForms() {
        assertEquals(new ListenAddress("0.0.0.0", 5000), ListenAddress.parse(":5000"));
        assertEquals(new ListenAddress("::1", 5001), ListenAddress.parse("[::1]:5001"));
        assertTrue(assertThrows(ConfigError.class, () -> ListenAddress.parse("localhost")).getMessage().startsWith("http.addr"));
    }

    @Test
    void badValuesNameTheirKey() {
        assertTrue(error("storage:\n  filesystem:\n    maxthreads: abc\n", Map.of()).startsWith("storage.filesystem.maxthreads:"));
        assertTrue(error("storage:\n  filesystem:\n    maxthreads: 3\n", Map.of()).startsWith("storage.filesystem.maxthreads:"));
        assertTrue(error("storage:\n  inmemory:\n  delete:\n    enabled: maybe\n", Map.of()).startsWith("storage.delete.enabled:"));
        assertTrue(error("storage:\n  inmemory:\nlog:\n  level: loud\n", Map.of()).startsWith("log.level:"));
        assertTrue(error("storage:\n  inmemory:\nhttp:\n  addr: :http\n", Map.of()).startsWith("http.addr:"));
        assertTrue(error("storage:\n  inmemory:\nhttp:\n  host: example.com\n", Map.of()).startsWith("http.host:"));
        assertTrue(error("version: 0.2\nstorage:\n  inmemory:\n", Map.of()).startsWith("version:"));
    }

    @Test
    void maintenanceOptionsHaveDistributionsDefaultsAndNameTheirKey() {
        MaintenanceSettings defaults = MaintenanceSettings.parse(parse("storage:\n  inmemory:\n", Map.of()).options().section("storage.maintenance"));
        assertEquals(new MaintenanceSettings.UploadPurging(true, Duration.ofHours(168), Duration.ofHours(24), false), defaults.uploadPurging());
        assertEquals(new MaintenanceSettings.Gc(false, Duration.ofHours(24), Duration.ofHours(1), false, false), defaults.gc());
        String purging = "storage:\n  inmemory:\n  maintenance:\n    uploadpurging:\n";
        assertEquals("storage.maintenance.uploadpurging.age: must be a duration such as 20m, 90s or 1h30m, got \"a week\" (test.yml)",
                error(purging + "      age: a week\n", Map.of()));
        assertTrue(error(purging + "      interval: 1s\n", Map.of()).startsWith("storage.maintenance.uploadpurging.interval: must be at least 1m"));
        assertTrue(error(purging + "      dryrun: perhaps\n", Map.of()).startsWith("storage.maintenance.uploadpurging.dryrun:"));
        String gc = "storage:\n  inmemory:\n  maintenance:\n    gc:\n";
        assertTrue(error(gc + "      grace: -1h\n", Map.of()).startsWith("storage.maintenance.gc.grace:"));
        assertTrue(error(gc + "      deleteuntagged: sometimes\n", Map.of()).startsWith("storage.maintenance.gc.deleteuntagged:"));
        MaintenanceSettings set = MaintenanceSettings.parse(parse(gc + "      enabled: true\n      interval: 6h\n      grace: 30m\n",
                Map.of()).options().section("storage.maintenance"));
        assertEquals(new MaintenanceSettings.Gc(true, Duration.ofHours(6), Duration.ofMinutes(30), false, false), set.gc());
    }

    @Test
    void proxySectionIsCheckedAndExecRefused() {
        String mirror = "storage:\n  inmemory:\nproxy:\n  remoteurl: https://registry-1.docker.io\n";
        parse(mirror + "  username: u\n  password: p\n  ttl: 0\n", Map.of());
        ProxySettings settings = ProxySettings.read(parse(mirror, Map.of("REGISTRY_PROXY_TTL", "90s")).options().section("proxy"));
        assertEquals(Duration.ofSeconds(90), settings.ttl());
        assertEquals(Duration.ofHours(168), ProxySettings.read(parse(mirror, Map.of()).options().section("proxy")).ttl());
        assertEquals("proxy.remoteurl: required (test.yml)", error("storage:\n  inmemory:\nproxy:\n  username: u\n", Map.of()));
        assertEquals("proxy.remoteurl: must be an http(s) URL such as https://host/path, got \"ftp://x\" (default)",
                assertThrows(ConfigError.class, () -> ProxySettings.read(new OptionReader(Map.of("remoteurl", "ftp://x"), "proxy.", "default")))
                        .getMessage());
        assertTrue(error("storage:\n  inmemory:\n", Map.of("REGISTRY_PROXY_REMOTEURL", "nohost")).startsWith("proxy.remoteurl: "));
        assertTrue(error(mirror + "  ttl: a week\n", Map.of()).startsWith("proxy.ttl: must be a duration"));
        assertEquals("proxy.password: required with username (test.yml)", error(mirror + "  username: u\n", Map.of()));
        assertTrue(error(mirror + "  exec:\n    command: helper\n", Map.of()).startsWith("proxy.exec: credential helpers are not supported"));
        assertEquals("proxy.cachewritetimeout: not supported by Berth (remoteurl, username, password, ttl, spooldirectory) (test.yml)",
                error(mirror + "  cachewritetimeout: 5s\n", Map.of()));
    }

    @Test
    void proxySpoolDirectoryIsTheTemporaryDirectoryOrAWritableOne(@TempDir Path dir) {
        String mirror = "storage:\n  inmemory:\nproxy:\n  remoteurl: https://registry-1.docker.io\n";
        assertEquals(Path.of(System.getProperty("java.io.tmpdir")),
                ProxySettings.read(parse(mirror, Map.of()).options().section("proxy")).spoolDirectory());
        assertEquals(dir, ProxySettings.read(parse(mirror, Map.of("REGISTRY_PROXY_SPOOLDIRECTORY", dir.toString())).options().section("proxy"))
                .spoolDirectory());
        Path missing = dir.resolve("missing");
        assertEquals("proxy.spooldirectory: must be a writable directory, got \"" + missing + "\" (test.yml)",
                error(mirror + "  spooldirectory: " + missing + "\n", Map.of()));
    }

    @Test
    void sectionsThatWouldChangeWhatIsServedStopStartup() {
        assertTrue(error("storage:\n  inmemory:\nmiddleware:\n  registry:\n    - name: x\n", Map.of()).startsWith("middleware.registry:"));
        assertTrue(error("storage:\n  inmemory:\nmiddleware:\n  repository:\n    - name: x\n", Map.of()).startsWith("middleware.repository:"));
        assertTrue(error("storage:\n  inmemory:\npolicy:\n  repository:\n    classes: [image]\n", Map.of()).startsWith("policy:"));
        assertTrue(error("storage:\n  inmemory:\nvalidation:\n  manifests:\n    urls:\n      allow: ['^https?://']\n", Map.of())
                .startsWith("validation.manifests:"));
        assertTrue(error("storage:\n  inmemory:\ncompatibility:\n  schema1:\n    enabled: true\n", Map.of())
                .startsWith("compatibility.schema1.enabled:"));
        assertEquals("validation.disabled: Berth always checks that a manifest's references exist; remove the key, got \"true\" (test.yml)",
                error("storage:\n  inmemory:\nvalidation:\n  disabled: true\n", Map.of()));
        assertTrue(error("storage:\n  inmemory:\nvalidation:\n  enabled: false\n", Map.of()).startsWith("validation.enabled:"));
        assertTrue(error("storage:\n  inmemory:\nlog:\n  hooks:\n    - type: mail\n", Map.of()).startsWith("log.hooks:"));
        // what does not change what is served is still accepted
        parse("storage:\n  inmemory:\nvalidation:\n  disabled: false\ncompatibility:\n  schema1:\n    enabled: false\n", Map.of());
        parse("storage:\n  inmemory:\nvalidation:\n  enabled: true\nreporting:\n  bugsnag:\n    apikey: x\n", Map.of());
    }

    @Test
    void listingLimitsArePositiveNumbers() {
        parse("storage:\n  inmemory:\ncatalog:\n  maxentries: 50\ntags:\n  maxtags: 10\n", Map.of());
        assertTrue(error("storage:\n  inmemory:\ncatalog:\n  maxentries: 0\n", Map.of()).startsWith("catalog.maxentries:"));
        assertTrue(error("storage:\n  inmemory:\ntags:\n  maxtags: many\n", Map.of()).startsWith("tags.maxtags:"));
    }

    @Test
    void driverChoiceErrors() {
        assertTrue(error("storage:\n  delete:\n    enabled: true\n", Map.of()).contains("no storage driver"));
        assertTrue(error("storage:\n  inmemory:\n  filesystem:\n    rootdirectory: /x\n", Map.of()).contains("exactly one"));
        assertTrue(error("storage:\n  floppy:\n", Map.of()).startsWith("storage.floppy: unknown storage driver"));
        assertTrue(error("storage:\n  gcs:\n    bucket: b\n", Map.of()).startsWith("storage.gcs: storage driver not supported"));
    }

    @Test
    void malformedYamlIsOneLine() {
        String message = error("storage: [unclosed\n", Map.of());
        assertTrue(message.startsWith("config file test.yml: not valid YAML"), message);
        assertTrue(!message.contains("\n"), message);
        String badIndent = error("version: 0.1\nstorage:\n  inmemory:\n http:\n    addr: :5000\n", Map.of());
        assertTrue(badIndent.startsWith("config file test.yml: not valid YAML at line 4, column 2: "), badIndent);
        assertTrue(!badIndent.contains("\n"), badIndent);
    }

    /** Found through their OptionsValidator, checked before start like every other key. */
    @Test
    void storageMiddlewareOptionsNameTheirKey() {
        String cloudfront = "storage:\n  s3:\n    region: us-east-1\n    bucket: b\nmiddleware:\n  storage:\n"
                + "    - name: redirect\n      disabled: true\n"
                + "    - name: cloudfront\n      options:\n        baseurl: cdn.example.com\n        keypairid: K\n";
        assertEquals("middleware.storage[1].options.privatekey: required (test.yml)", error(cloudfront, Map.of()));
        String withKey = cloudfront + "        privatekey: /no/such/key.pem\n";
        assertTrue(error(withKey + "        duration: banana\n", Map.of())
                .startsWith("middleware.storage[1].options.duration: must be a duration"));
        assertTrue(error(withKey + "        trustedproxies: [10.0.0.0/40]\n", Map.of())
                .startsWith("middleware.storage[1].options.trustedproxies: "));
        assertEquals("middleware.storage[1].options.privatekey: /no/such/key.pem: file not found (test.yml)", error(withKey, Map.of()));
        assertTrue(error("storage:\n  inmemory:\nmiddleware:\n  storage:\n    - name: redirect\n      options:\n        baseurl: nohost\n",
                Map.of()).startsWith("middleware.storage[0].options.baseurl: "));
        // a disabled entry is not built, so not checked; an unknown name is reported when the driver is built
        parse("storage:\n  inmemory:\nmiddleware:\n  storage:\n    - name: redirect\n      disabled: true\n    - name: faults\n",
                Map.of());
    }

    @Test
    void storageDriverOptionsNameTheirKey() {
        assertTrue(error("storage:\n  s3:\n    region: us-east-1\n    bucket: b\n    chunksize: 1\n", Map.of())
                .startsWith("storage.s3.chunksize: must be between 5242880 and"));
        assertTrue(error("storage:\n  filesystem:\n    rootdirectory: ''\n", Map.of()).startsWith("storage.filesystem.rootdirectory: "));
    }

    @Test
    void drainTimeoutIsQuarkusShutdownTimeout() {
        Map<String, String> props = DistributionConfigSourceFactory.toProperties(parse("storage:\n  inmemory:\nhttp:\n  draintimeout: 1m30s\n",
                Map.of()));
        assertEquals("PT1M30S", props.get("quarkus.shutdown.timeout"));
        assertTrue(!DistributionConfigSourceFactory.toProperties(parse("storage:\n  inmemory:\n", Map.of())).containsKey("quarkus.shutdown.timeout"));
        assertTrue(error("storage:\n  inmemory:\nhttp:\n  draintimeout: soon\n", Map.of()).startsWith("http.draintimeout:"));
    }

    @Test
    void logFormatsCarryTheTimeZoneDistributionsKeysAndStaticFields() {
        Map<String, String> text = DistributionConfigSourceFactory.toProperties(parse(
                "storage:\n  inmemory:\nlog:\n  fields:\n    service: registry\n    environment: staging 1\n", Map.of()));
        assertEquals("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5p [%c{2.}] %s environment=\"staging 1\" service=registry%e%n",
                text.get("quarkus.log.console.format"));
        assertEquals("false", text.get("quarkus.log.console.json.enabled"));
        assertEquals("true", text.get("berth.access-log.enabled"));
        Map<String, String> json = DistributionConfigSourceFactory.toProperties(parse(
                "storage:\n  inmemory:\nlog:\n  formatter: json\n  accesslog:\n    disabled: true\n  fields:\n    service: registry\n", Map.of()));
        assertEquals("true", json.get("quarkus.log.console.json.enabled"));
        assertEquals("timestamp=time,message=msg", json.get("quarkus.log.console.json.key-overrides"));
        assertEquals("logrus-levels", json.get("quarkus.log.console.filter"));
        assertEquals("registry", json.get("quarkus.log.console.json.additional-field.\"service\".value"));
        assertEquals("false", json.get("berth.access-log.enabled"));
        assertEquals("false", json.get("quarkus.log.console.json.print-details"));
    }

    @Test
    void deprecatedLogLevelReportCallerAndCleartextHttp2() {
        Map<String, String> old = DistributionConfigSourceFactory.toProperties(parse("loglevel: warning\nstorage:\n  inmemory:\n", Map.of()));
        assertEquals("WARN", old.get("quarkus.log.level"));
        assertEquals("false", old.get("berth.http.h2c"));
        Map<String, String> both = DistributionConfigSourceFactory.toProperties(parse(
                "loglevel: error\nlog:\n  level: debug\n  reportcaller: true\nstorage:\n  inmemory:\nhttp:\n  h2c:\n    enabled: true\n", Map.of()));
        assertEquals("DEBUG", both.get("quarkus.log.level"), "log.level wins over the deprecated loglevel");
        assertTrue(both.get("quarkus.log.console.format").endsWith(" func=%C.%M file=%F:%L%e%n"), both.get("quarkus.log.console.format"));
        assertEquals("true", both.get("berth.http.h2c"));
        Map<String, String> json = DistributionConfigSourceFactory.toProperties(parse(
                "log:\n  formatter: json\n  reportcaller: true\nstorage:\n  inmemory:\n", Map.of()));
        assertEquals("true", json.get("quarkus.log.console.json.print-details"));
        assertTrue(error("loglevel: loud\nstorage:\n  inmemory:\n", Map.of()).startsWith("loglevel: must be one of"));
        assertTrue(error("storage:\n  inmemory:\nhttp:\n  h2c:\n    enabled: maybe\n", Map.of()).startsWith("http.h2c.enabled:"));
    }

    /** Checked before start by the notifications package's own reader (found as an OptionsValidator). */
    @Test
    void notificationErrorsNameTheirKey() {
        String endpoint = "storage:\n  inmemory:\nnotifications:\n  endpoints:\n    - name: a\n      url: http://127.0.0.1:9/events\n";
        parse(endpoint + "      timeout: 500ms\n      threshold: 5\n      backoff: 2s\n      headers:\n        Authorization: [Bearer x]\n"
                + "      ignore:\n        actions: [pull, mount]\n        mediatypes: [application/octet-stream]\n", Map.of());
        assertTrue(error(endpoint + "      timeout: fast\n", Map.of()).startsWith("notifications.endpoints[0].timeout:"));
        assertTrue(error(endpoint + "      threshold: -1\n", Map.of()).startsWith("notifications.endpoints[0].threshold:"));
        assertTrue(error(endpoint + "      ignore:\n        actions: [pul]\n", Map.of()).startsWith("notifications.endpoints[0].ignore.actions:"));
        assertTrue(error("storage:\n  inmemory:\nnotifications:\n  endpoints:\n    - name: a\n      url: ftp://x\n", Map.of())
                .startsWith("notifications.endpoints[0].url:"));
        assertTrue(error("storage:\n  inmemory:\nnotifications:\n  endpoints:\n    - url: http://x/\n", Map.of())
                .startsWith("notifications.endpoints[0].name:"));
        assertTrue(error(endpoint + "    - name: a\n      url: http://127.0.0.1:9/other\n", Map.of()).startsWith("notifications.endpoints[1].name:"));
        assertTrue(error("storage:\n  inmemory:\nnotifications:\n  events:\n    includereferences: maybe\n", Map.of())
                .startsWith("notifications.events.includereferences:"));
    }
}
