package dev.berth.registry;

/** A request the registry refuses, answered in the OCI error format with the code's status. */
public class RegistryException extends RuntimeException {
    private final ErrorCode code;
    private final int status;
    private final Object detail;

    public RegistryException(ErrorCode code, String message) {
        this(code, code.status(), message, null);
    }

    public RegistryException(ErrorCode code, String message, Object detail) {
        this(code, code.status(), message, detail);
    }

    public RegistryException(ErrorCode code, int status, String message, Object detail) {
        super(message == null ? code.message() : message, null, false, false);
        this.code = code;
        this.status = status;
        this.detail = detail;
    }

    public ErrorCode code() {
        return code;
    }

    public int status() {
        return status;
    }

    public Object detail() {
        return detail;
    }
}
