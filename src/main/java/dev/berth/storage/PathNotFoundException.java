package dev.berth.storage;

/** The path does not exist in storage. */
public class PathNotFoundException extends StorageException {
    public PathNotFoundException(String path) {
        super("path not found: " + path);
    }
}
