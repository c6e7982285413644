package dev.berth.storage;

/** The backend is unreachable, throttling or failing; the client may retry later (503/429). */
public class StorageUnavailableException extends StorageException {
    private final boolean throttled;

    public StorageUnavailableException(String message, boolean throttled, Throwable cause) {
        super(message, cause);
        this.throttled = throttled;
    }

    public boolean throttled() {
        return throttled;
    }
}
