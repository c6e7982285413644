package dev.berth.testsupport;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** S3 requests seen on the wire by a {@link TcpRelay}, named by operation. */
public final class S3Requests {
    /** One request: its operation (ListParts, UploadPart, ...), target, and when its head reached the relay ({@link System#nanoTime}). */
    public record Request(String operation, String method, String target, long arrived) {
    }

    private final List<Request> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger continues = new AtomicInteger();

    void add(String method, String target, boolean copySource) {
        seen.add(new Request(operation(method, target, copySource), method, target, System.nanoTime()));
    }

    public int total() {
        return seen.size();
    }

    public void clear() {
        seen.clear();
        continues.set(0);
    }

    void continued() {
        continues.incrementAndGet();
    }

    /** {@code 100 Continue} answers a client waited for before it sent its body (each a round trip more). */
    public int continuesWaitedFor() {
        return continues.get();
    }

    public List<Request> all() {
        return List.copyOf(seen);
    }

    /** Requests per operation since the last clear, sorted by name. */
    public Map<String, Integer> byOperation() {
        Map<String, Integer> counts = new TreeMap<>();
        seen.forEach(r -> counts.merge(r.operation(), 1, Integer::sum));
        return counts;
    }

    public int count(String operation) {
        return (int) seen.stream().filter(r -> r.operation().equals(operation)).count();
    }

    /** S3's REST API: the operation follows from the method and the query's sub-resources. */
    static String operation(String method, String target, boolean copySource) {
        int q = target.indexOf('?');
        String query = q < 0 ? "" : "&" + target.substring(q + 1);
        boolean uploadId = query.contains("&uploadId=");
        boolean uploads = query.contains("&uploads");
        String path = q < 0 ? target : target.substring(0, q);
        boolean bucketOnly = path.chars().filter(c -> c == '/').count() <= 1;
        return switch (method) {
            case "PUT" -> query.contains("&partNumber=") ? (copySource ? "UploadPartCopy" : "UploadPart")
                    : copySource ? "CopyObject" : "PutObject";
            case "POST" -> uploads ? "CreateMultipartUpload" : uploadId ? "CompleteMultipartUpload"
                    : query.contains("&delete") ? "DeleteObjects" : "POST";
            case "GET" -> uploads ? "ListMultipartUploads" : uploadId ? "ListParts"
                    : bucketOnly ? "ListObjectsV2" : "GetObject";
            case "HEAD" -> bucketOnly ? "HeadBucket" : "HeadObject";
            case "DELETE" -> uploadId ? "AbortMultipartUpload" : "DeleteObject";
            default -> method;
        };
    }
}
