package dev.berth.storage.s3;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/** Records every S3 call a driver makes, so tests can say which calls did (not) happen. */
final class RequestLog implements ExecutionInterceptor {
    record Call(String operation, String key, long contentLength) {
    }

    /** A request as it went on the wire: its signed payload hash, content encoding and expectation ("" when absent). */
    record Sent(String operation, String payloadHash, String contentEncoding, String expect) {
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    final List<Sent> sent = new CopyOnWriteArrayList<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        Object request = context.request();
        String operation = operation(request);
        String key = request instanceof GetObjectRequest get ? get.key()
                : request instanceof UploadPartRequest part ? part.key() : "";
        long length = request instanceof UploadPartRequest part ? part.contentLength() : -1;
        calls.add(new Call(operation, key, length));
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        var http = context.httpRequest();
        sent.add(new Sent(operation(context.request()), http.firstMatchingHeader("x-amz-content-sha256").orElse(""),
                http.firstMatchingHeader("Content-Encoding").orElse(""), http.firstMatchingHeader("Expect").orElse("")));
    }

    private static String operation(Object request) {
        return request.getClass().getSimpleName().replace("Request", "");
    }

    long count(String operation) {
        return calls.stream().filter(c -> c.operation().equals(operation)).count();
    }

    List<Call> of(String operation) {
        return calls.stream().filter(c -> c.operation().equals(operation)).toList();
    }

    void clear() {
        calls.clear();
        sent.clear();
    }
}
