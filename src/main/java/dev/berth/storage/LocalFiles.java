package dev.berth.storage;

/**
 * Implemented by drivers whose files are on this machine's file system (filesystem), so a blob can be
 * sent by the kernel ({@code sendfile}) instead of being read through the JVM chunk by chunk.
 * Reached through {@link StorageDriver#unwrap}.
 */
public interface LocalFiles {

    /** The file system path of the file at the storage {@code path} (which may not exist). */
    String localFile(String path);
}
