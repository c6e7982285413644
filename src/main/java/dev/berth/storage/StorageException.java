package dev.berth.storage;

/** A storage operation failed; subclasses say why when the caller can act on it. */
public class StorageException extends RuntimeException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
