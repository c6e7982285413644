package dev.berth.storage.s3;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageException;
import dev.berth.storage.StorageRefusedException;
import dev.berth.storage.StorageUnavailableException;
import io.netty.channel.ChannelException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** S3 failures, after the SDK's retries, as the storage exceptions the registry maps to HTTP. */
final class S3Errors {
    /** Out of space or quota: MinIO's full drives and bucket quota, Ceph RGW's user and bucket quota. */
    private static final Set<String> FULL = Set.of("XMinioStorageFull", "XMinioAdminBucketQuotaExceeded", "QuotaExceeded");

    private S3Errors() {
    }

    static Throwable translate(Throwable e, String operation, String path) {
        Throwable cause = unwrap(e);
        if (cause instanceof StorageException) {
            return cause;
        }
        if (isNotFound(cause)) {
            return new PathNotFoundException(path);
        }
        if (cause instanceof S3Exception s3) {
            String code = code(s3);
            int status = s3.statusCode();
            if (status == 429 || "SlowDown".equals(code) || s3.isThrottlingException()) {
                return new StorageUnavailableException("s3 " + operation + " " + path + ": throttled (" + code + ")", true, s3);
            }
            String logged = "s3 " + operation + " " + path + ": " + status + " " + code + ": " + message(s3);
            if (status == 507 || FULL.contains(code)) {
                return new StorageRefusedException(true, "insufficient storage: s3 " + operation + " " + status + " " + code, logged, s3);
            }
            if (status == 403) {
                // wrong rights or credentials: an operator's fix, named rather than hidden behind a 500
                return new StorageRefusedException(false, "storage denies access: s3 " + operation + " " + status + " " + code, logged, s3);
            }
            if (status >= 500 || "NoSuchBucket".equals(code)) {
                return new StorageUnavailableException("s3 " + operation + " " + path + ": " + status + " " + code, false, s3);
            }
            return new StorageException(logged, s3);
        }
        if (cause instanceof SdkClientException || cause instanceof IOException || cause instanceof TimeoutException
                || cause instanceof ChannelException) {
            // connection refused or reset, timeouts: the backend is unreachable, not the request wrong;
            // the SDK's first line says what happened, the rest (advice on pool sizes) would flood the log.
            // Netty's ReadTimeoutException (a ChannelException) reaches a body's subscriber undecorated.
            return new StorageUnavailableException("s3 " + operation + " " + path + ": " + firstLine(cause), false, cause);
        }
        if (cause instanceof SdkException) {
            return new StorageException("s3 " + operation + " " + path + ": " + cause.getMessage(), cause);
        }
        return cause;
    }

    static boolean isNotFound(Throwable e) {
        Throwable cause = unwrap(e);
        if (cause instanceof NoSuchKeyException) {
            return true;
        }
        return cause instanceof S3Exception s3 && (s3.statusCode() == 404 && !"NoSuchBucket".equals(code(s3)));
    }

    static boolean hasCode(Throwable e, String code) {
        return unwrap(e) instanceof S3Exception s3 && code.equals(code(s3));
    }

    /** Whether S3 answered {@code status}, before or after {@link #translate}. */
    static boolean hasStatus(Throwable e, int status) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof S3Exception s3) {
                return s3.statusCode() == status;
            }
        }
        return false;
    }

    static Throwable unwrap(Throwable e) {
        Throwable c = e;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** The first line of the failure's message, or its type where it has none (Netty's timeouts). */
    private static String firstLine(Throwable failure) {
        String message = failure.getMessage();
        return message == null ? failure.getClass().getSimpleName() : message.lines().findFirst().orElse("");
    }

    private static String message(S3Exception s3) {
        return s3.awsErrorDetails() == null ? s3.getMessage() : s3.awsErrorDetails().errorMessage();
    }

    private static String code(S3Exception s3) {
        return s3.awsErrorDetails() == null ? "" : String.valueOf(s3.awsErrorDetails().errorCode());
    }
}
