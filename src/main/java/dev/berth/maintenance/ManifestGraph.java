package dev.berth.maintenance;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.berth.registry.Digest;
import dev.berth.registry.RegistryException;
import dev.berth.registry.StoragePaths;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageException;
import io.smallrye.mutiny.Uni;

/**
 * What each stored manifest references, read once per digest for the whole run (every repository
 * sharing it). Read leniently, not with the push rules: storage written by registry:2 may hold schema 1
 * manifests or ones Berth would refuse today, and the collector must still keep what they reference.
 */
final class ManifestGraph {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Blobs an image references (config, layers), child manifests of an index, and the subject. */
    record Node(List<Digest> blobs, List<Digest> children, Optional<Digest> subject) {
        static final Node MISSING = new Node(List.of(), List.of(), Optional.empty());
    }

    private final StorageDriver driver;
    private final Map<Digest, Node> nodes = new ConcurrentHashMap<>();

    ManifestGraph(StorageDriver driver) {
        this.driver = driver;
    }

    /** The manifest's node; a revision whose content is gone references nothing. */
    Uni<Node> node(Digest digest) {
        Node known = nodes.get(digest);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        return driver.getContent(StoragePaths.blobData(digest))
                .map(bytes -> parse(digest, bytes))
                .onFailure(PathNotFoundException.class).recoverWithItem(Node.MISSING)
                .invoke(node -> nodes.put(digest, node));
    }

    /** Already read (after {@link #node}). */
    Node known(Digest digest) {
        return nodes.getOrDefault(digest, Node.MISSING);
    }

    private static Node parse(Digest digest, byte[] content) {
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (IOException e) {
            // what an unreadable manifest references is unknown: deleting anything could break it
            throw new StorageException("manifest " + digest + " is not JSON; garbage collection stops rather than guess what it references");
        }
        List<Digest> blobs = new ArrayList<>();
        List<Digest> children = new ArrayList<>();
        addDigest(root.path("config"), "digest", blobs);
        root.path("layers").forEach(layer -> addDigest(layer, "digest", blobs));
        root.path("fsLayers").forEach(layer -> addDigest(layer, "blobSum", blobs)); // schema 1
        root.path("manifests").forEach(child -> addDigest(child, "digest", children));
        List<Digest> subject = new ArrayList<>();
        addDigest(root.path("subject"), "digest", subject);
        return new Node(List.copyOf(blobs), List.copyOf(children), subject.stream().findFirst());
    }

    private static void addDigest(JsonNode descriptor, String field, List<Digest> out) {
        JsonNode value = descriptor.get(field);
        if (value != null && value.isTextual()) {
            try {
                out.add(Digest.parse(value.asText()));
            } catch (RegistryException e) {
                // a digest Berth cannot store names no blob in this storage
            }
        }
    }
}
