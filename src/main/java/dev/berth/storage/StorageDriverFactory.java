package dev.berth.storage;

/** Builds the storage driver named in {@code storage:}; one CDI bean per driver. */
public interface StorageDriverFactory {

    /** The name under {@code storage:} this factory builds (filesystem, inmemory, s3). */
    String name();

    StorageDriver create();
}
