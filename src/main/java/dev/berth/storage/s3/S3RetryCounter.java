package dev.berth.storage.s3;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * Counts S3 attempts the SDK retried, and answers that throttled (503 SlowDown, 429). An interceptor
 * rather than a MetricPublisher: the SDK then collects no per-call metric objects on every request.
 */
final class S3RetryCounter implements ExecutionInterceptor {
    private static final ExecutionAttribute<AtomicInteger> ATTEMPTS = new ExecutionAttribute<>("berth.s3.attempts");

    private final Counter retries;
    private final Counter throttles;

    S3RetryCounter(MeterRegistry registry) {
        retries = Counter.builder("registry.s3.retries").description("S3 requests sent again after a failed attempt").register(registry);
        throttles = Counter.builder("registry.s3.throttles").description("S3 answers that throttled (503 SlowDown, 429)")
                .register(registry);
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        attributes.putAttribute(ATTEMPTS, new AtomicInteger());
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        AtomicInteger attempts = attributes.getAttribute(ATTEMPTS);
        if (attempts != null && attempts.getAndIncrement() > 0) {
            retries.increment();
        }
    }

    /** Per attempt, with the status the retry logic will see. */
    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        int status = context.httpResponse().statusCode();
        if (status == 503 || status == 429) {
            throttles.increment();
        }
        return context.httpResponse();
    }
}
