package dev.berth.storage;

/**
 * Implemented by drivers whose files are objects in a bucket (s3): the object key of a storage path,
 * including the driver's root directory. CDN middleware signs URLs for these keys.
 */
public interface BucketKeys {
    String bucketKey(String path);
}
