package dev.berth.maintenance;

import static dev.berth.storage.StorageTestSupport.await;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import dev.berth.registry.Digest;
import dev.berth.registry.StoragePaths;
import dev.berth.storage.FileInfo;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageTestSupport;

/**
 * Writes images, indexes and referrers straight into Distribution's layout, as a push through the
 * API leaves them (blob data, layer links, manifest revision, tag and referrer links).
 */
final class LayoutWriter {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    private final StorageDriver driver;
    private int seed;

    LayoutWriter(StorageDriver driver) {
        this(driver, 0);
    }

    /** Writers working side by side start from different seeds, so their content differs. */
    LayoutWriter(StorageDriver driver, int seed) {
        this.driver = driver;
        this.seed = seed;
    }

    /** Stores content as a blob (no repository link). */
    Digest blob(byte[] content) {
        Digest digest = Digest.parse("sha256:" + StorageTestSupport.sha256(content));
        await(driver.putContent(StoragePaths.blobData(digest), content));
        return digest;
    }

    Digest layer(String repository, byte[] content) {
        Digest digest = blob(content);
        link(StoragePaths.layerLink(repository, digest), digest);
        return digest;
    }

    /** A fresh random layer linked into {@code repository}. */
    Digest layer(String repository) {
        return layer(repository, StorageTestSupport.random(64 + seed, ++seed));
    }

    /** An image manifest with a new config and {@code layers}, linked (and tagged when {@code tag} is given). */
    Digest image(String repository, String tag, List<Digest> layers) {
        return image(repository, tag, layers, Optional.empty());
    }

    Digest image(String repository, String tag, List<Digest> layers, Optional<Digest> subject) {
        Digest config = layer(repository, ("{\"seed\":" + (++seed) + "}").getBytes(StandardCharsets.UTF_8));
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",")
                .append("\"config\":").append(descriptor("application/vnd.oci.image.config.v1+json", config)).append(",\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            json.append(i > 0 ? "," : "").append(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layers.get(i)));
        }
        json.append("]");
        subject.ifPresent(s -> json.append(",\"subject\":").append(descriptor(OCI_MANIFEST, s)));
        json.append("}");
        return manifest(repository, tag, json.toString(), subject);
    }

    Digest index(String repository, String tag, List<Digest> children, Optional<Digest> subject) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[");
        for (int i = 0; i < children.size(); i++) {
            json.append(i > 0 ? "," : "").append(descriptor(OCI_MANIFEST, children.get(i)));
        }
        json.append("]");
        subject.ifPresent(s -> json.append(",\"subject\":").append(descriptor(OCI_INDEX, s)));
        json.append("}");
        return manifest(repository, tag, json.toString(), subject);
    }

    private Digest manifest(String repository, String tag, String json, Optional<Digest> subject) {
        Digest digest = blob(json.getBytes(StandardCharsets.UTF_8));
        link(StoragePaths.manifestRevisionLink(repository, digest), digest);
        subject.ifPresent(s -> link(StoragePaths.referrerLink(repository, s, digest), digest));
        if (tag != null) {
            tag(repository, tag, digest);
        }
        return digest;
    }

    void tag(String repository, String tag, Digest digest) {
        link(StoragePaths.tagCurrentLink(repository, tag), digest);
        link(StoragePaths.tagIndexLink(repository, tag, digest), digest);
    }

    void untag(String repository, String tag) {
        await(driver.delete(StoragePaths.tag(repository, tag)));
    }

    void deleteRepository(String repository) {
        await(driver.delete(StoragePaths.repository(repository)));
    }

    private void link(String path, Digest digest) {
        await(driver.putContent(path, digest.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static String descriptor(String mediaType, Digest digest) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":1}";
    }

    /** The digests of every blob whose data is stored. */
    TreeSet<String> storedBlobs() {
        List<FileInfo> files = await(driver.walk(StoragePaths.ROOT + "/blobs").collect().asList()
                .onFailure(PathNotFoundException.class).recoverWithItem(new ArrayList<>()));
        TreeSet<String> out = new TreeSet<>();
        for (FileInfo f : files) {
            if (f.path().endsWith("/data")) {
                String[] p = f.path().split("/");
                out.add(p[p.length - 4] + ":" + p[p.length - 2]);
            }
        }
        return out;
    }

    boolean exists(String path) {
        try {
            await(driver.stat(path));
            return true;
        } catch (PathNotFoundException e) {
            return false;
        }
    }
}
