package dev.berth.bench;

import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import dev.berth.testsupport.DeclaredCaches;
import dev.berth.storage.middleware.MiddlewareMetrics;
import dev.berth.storage.middleware.cloudfront.CannedPolicySigner;
import dev.berth.storage.middleware.cloudfront.SignedUrlCache;

/**
 * The CloudFront signer per operation: cold (a full RSA-2048 SHA1withRSA signature, what every
 * redirect costs in Distribution) and warm (a signed-URL cache hit, Berth's hot pull path).
 *
 * <pre>
 * ./mvnw -q test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:exec -Dexec.executable=java \
 *   -Dexec.classpathScope=test \
 *   -Dexec.args="-cp %classpath org.openjdk.jmh.Main CloudFrontSignerBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CloudFrontSignerBenchmark {
    private static final String KEY = "reg/docker/registry/v2/blobs/sha256/ab/"
            + "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12/data";

    private CannedPolicySigner signer;
    private SignedUrlCache cache;
    private long expires;

    @Setup
    public void setUp() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        RSAPrivateKey key = (RSAPrivateKey) generator.generateKeyPair().getPrivate();
        MiddlewareMetrics metrics = new MiddlewareMetrics();
        signer = new CannedPolicySigner(key, "K2JCJMDEHXQW5F", metrics.signatures);
        cache = new SignedUrlCache("https://d111111abcdef8.cloudfront.net/", Duration.ofMinutes(20), signer,
                Clock.systemUTC(), metrics, DeclaredCaches.standalone("signed-urls"));
        expires = System.currentTimeMillis() / 1000 + 1200;
        cache.url(KEY);
    }

    @Benchmark
    public String cold() {
        return signer.sign("https://d111111abcdef8.cloudfront.net/" + KEY, expires);
    }

    @Benchmark
    public String warm() {
        return cache.url(KEY);
    }
}
