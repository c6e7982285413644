package dev.berth.storage.s3;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.reactivestreams.Publisher;

import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;

/** Turns the first {@code throttled} responses into S3's "503 SlowDown", as a busy bucket answers. */
final class FakeSlowDown implements ExecutionInterceptor {
    private static final String BODY = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
            + "<Message>Please reduce your request rate.</Message></Error>";

    private final int throttled;
    final AtomicInteger attempts = new AtomicInteger();

    FakeSlowDown(int throttled) {
        this.throttled = throttled;
    }

    private boolean throttle(ExecutionAttributes attributes) {
        return attempts.get() <= throttled;
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        attempts.incrementAndGet();
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        if (!throttle(attributes)) {
            return context.httpResponse();
        }
        return context.httpResponse().toBuilder().statusCode(503).statusText("Slow Down")
                .removeHeader("Content-Length").putHeader("Content-Length", Integer.toString(BODY.length()))
                .putHeader("Content-Type", "application/xml").build();
    }

    @Override
    public Optional<Publisher<ByteBuffer>> modifyAsyncHttpResponseContent(Context.ModifyHttpResponse context,
            ExecutionAttributes attributes) {
        if (!throttle(attributes)) {
            return context.responsePublisher();
        }
        return Optional.of(AsyncRequestBody.fromString(BODY));
    }
}
