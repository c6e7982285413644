package dev.berth.registry;

/**
 * Every storage path the registry uses, written down once. The layout is Distribution's
 * ({@code registry/storage/paths.go}), so a root written by either registry is served by the other.
 */
public final class StoragePaths {
    public static final String ROOT = "/docker/registry/v2";
    public static final String REPOSITORIES = ROOT + "/repositories";

    private StoragePaths() {
    }

    public static String blobData(Digest digest) {
        return blobDirectory(digest) + "/data";
    }

    public static String blobDirectory(Digest digest) {
        return ROOT + "/blobs/" + digest.algorithm().id() + "/" + digest.hex().substring(0, 2) + "/" + digest.hex();
    }

    public static String repository(String name) {
        return REPOSITORIES + "/" + name;
    }

    public static String layerLink(String name, Digest digest) {
        return repository(name) + "/_layers/" + digest.algorithm().id() + "/" + digest.hex() + "/link";
    }

    public static String manifestRevisionLink(String name, Digest digest) {
        return manifestRevision(name, digest) + "/link";
    }

    public static String manifestRevision(String name, Digest digest) {
        return repository(name) + "/_manifests/revisions/" + digest.algorithm().id() + "/" + digest.hex();
    }

    public static String tags(String name) {
        return repository(name) + "/_manifests/tags";
    }

    public static String tag(String name, String tag) {
        return tags(name) + "/" + tag;
    }

    public static String tagCurrentLink(String name, String tag) {
        return tag(name, tag) + "/current/link";
    }

    public static String tagIndexLink(String name, String tag, Digest digest) {
        return tag(name, tag) + "/index/" + digest.algorithm().id() + "/" + digest.hex() + "/link";
    }

    public static String upload(String name, String uuid) {
        return repository(name) + "/_uploads/" + uuid;
    }

    public static String uploadData(String name, String uuid) {
        return upload(name, uuid) + "/data";
    }

    public static String uploadStartedAt(String name, String uuid) {
        return upload(name, uuid) + "/startedat";
    }

    /** Held by the one request writing to the upload ({@link UploadLocks}); Distribution ignores it. */
    public static String uploadLock(String name, String uuid) {
        return upload(name, uuid) + "/berth-lock";
    }

    /**
     * Manifests whose {@code subject} is {@code subject}. Berth's own addition: Distribution skips
     * directories starting with '_' it does not know, so the layout stays compatible.
     */
    public static String referrers(String name, Digest subject) {
        return repository(name) + "/_referrers/" + subject.algorithm().id() + "/" + subject.hex();
    }

    public static String referrerLink(String name, Digest subject, Digest referrer) {
        return referrers(name, subject) + "/" + referrer.algorithm().id() + "/" + referrer.hex() + "/link";
    }

    /** Where a generated {@code http.secret} is kept when none is configured (outside Distribution's tree). */
    public static final String GENERATED_SECRET = "/berth/http-secret";
}
