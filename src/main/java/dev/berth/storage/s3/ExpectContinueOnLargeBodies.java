package dev.berth.storage.s3;

import java.util.Optional;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Keeps the SDK's {@code Expect: 100-continue} only on bodies of {@link #THRESHOLD} or more. The SDK
 * puts it on every PutObject and UploadPart, and its Netty client then sends the body only once the
 * {@code 100 Continue} is back: a second round trip to a distant store for every link, lock and small
 * blob written. Under 2 MiB (where Distribution's Go SDK starts asking too) a body the store refuses
 * costs less than that round trip. Hand-written: the SDK's own switch
 * ({@code S3Configuration.expectContinueEnabled}) came after the release quarkus-amazon-services is
 * built on, and turns it off for parts too.
 */
final class ExpectContinueOnLargeBodies implements ExecutionInterceptor {
    static final long THRESHOLD = 2L * 1024 * 1024;

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        SdkHttpRequest http = context.httpRequest();
        if (http.firstMatchingHeader("Expect").isEmpty()) {
            return http;
        }
        // the decoded length when the body is framed (aws-chunked), as the SDK itself reads it
        Optional<Long> length = http.firstMatchingHeader("x-amz-decoded-content-length")
                .or(() -> http.firstMatchingHeader("Content-Length"))
                .map(value -> Long.parseLong(value.trim()));
        return length.isPresent() && length.get() < THRESHOLD ? http.toBuilder().removeHeader("Expect").build() : http;
    }
}
