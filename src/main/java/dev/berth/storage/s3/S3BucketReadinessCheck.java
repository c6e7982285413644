package dev.berth.storage.s3;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.berth.storage.StorageDriver;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/** With the s3 driver, ready only while the bucket answers: an unreachable S3 shows here, instead of hanging requests. */
@Readiness
@ApplicationScoped
public class S3BucketReadinessCheck implements AsyncHealthCheck {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Inject
    StorageDriver driver;

    @Override
    public Uni<HealthCheckResponse> call() {
        var s3 = driver.unwrap(S3Driver.class);
        if (s3.isEmpty()) {
            // the other drivers have no remote end to reach: the check names the driver in use (health.storagedriver checks it)
            return Uni.createFrom().item(HealthCheckResponse.up(driver.name() + " storage"));
        }
        return s3.get().checkBucket(TIMEOUT)
                .map(ignored -> HealthCheckResponse.up("s3 bucket"))
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named("s3 bucket").down()
                        .withData("error", String.valueOf(e.getMessage())).build());
    }
}
