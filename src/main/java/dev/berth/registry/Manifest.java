package dev.berth.registry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.berth.storage.StorageException;

/**
 * A parsed manifest: its bytes (kept exactly, they are what the digest covers), media type, the
 * descriptors it references and its {@code subject}. Parsing refuses what Berth does not store.
 */
public final class Manifest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] content;
    private final String mediaType;
    private final JsonNode root;

    private Manifest(byte[] content, String mediaType, JsonNode root) {
        this.content = content;
        this.mediaType = mediaType;
        this.root = root;
    }

    /** Parses an uploaded manifest; {@code contentType} is the request's, possibly null. */
    public static Manifest parse(byte[] content, String contentType) {
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (IOException e) {
            throw invalid("manifest is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw invalid("manifest must be a JSON object");
        }
        String declared = text(root, "mediaType");
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase();
        if (MediaTypes.SCHEMA1.contains(type) || (declared != null && MediaTypes.SCHEMA1.contains(declared)) || root.path("schemaVersion").asInt() == 1) {
            throw invalid("schema 1 manifests are not supported; push schema 2 or OCI manifests");
        }
        if (root.path("schemaVersion").asInt(-1) != 2) {
            throw invalid("schemaVersion must be 2");
        }
        String mediaType = declared != null ? declared : inferred(root);
        if (!type.isEmpty() && !type.equals("application/json") && !type.equals("application/octet-stream")
                && !type.equals(mediaType)) {
            if (declared != null) {
                throw invalid("Content-Type " + type + " does not match the manifest's mediaType " + declared);
            }
            mediaType = type;
        }
        if (!MediaTypes.isImage(mediaType) && !MediaTypes.isIndex(mediaType)) {
            throw invalid("unsupported manifest media type " + mediaType);
        }
        Manifest manifest = new Manifest(content, mediaType, root);
        manifest.checkShape();
        return manifest;
    }

    /**
     * This manifest as {@link #stored} reads it back, without parsing again: the media type its content declares or
     * implies, not the request's Content-Type, so a cached copy is served as any replica would serve it.
     */
    Manifest asStored() {
        String declared = text(root, "mediaType");
        return new Manifest(content, declared != null ? declared : inferred(root), root);
    }

    /** Reads a stored manifest (already validated when it was pushed). */
    public static Manifest stored(byte[] content) {
        try {
            JsonNode root = JSON.readTree(content);
            String declared = text(root, "mediaType");
            return new Manifest(content, declared != null ? declared : inferred(root), root);
        } catch (IOException e) {
            throw new StorageException("stored manifest is not valid JSON", e);
        }
    }

    private static String inferred(JsonNode root) {
        return root.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
    }

    private void checkShape() {
        if (isIndex()) {
            if (!root.path("manifests").isArray()) {
                throw invalid("an index needs a manifests array");
            }
        } else {
            if (!root.path("config").isObject()) {
                throw invalid("an image manifest needs a config descriptor");
            }
            if (root.has("layers") && !root.path("layers").isArray()) {
                throw invalid("layers must be an array");
            }
        }
        references(); // parses every descriptor, refusing bad digests now rather than at pull
        subject();
    }

    public byte[] content() {
        return content;
    }

    public String mediaType() {
        return mediaType;
    }

    public boolean isIndex() {
        return MediaTypes.isIndex(mediaType);
    }

    /** A descriptor this manifest points to. {@code external}: a layer with URLs, not required locally. */
    public record Reference(Digest digest, String mediaType, long size, boolean external) {
    }

    /** Config and layers of an image manifest, or the child manifests of an index. */
    public List<Reference> references() {
        List<Reference> out = new ArrayList<>();
        if (isIndex()) {
            for (JsonNode d : root.path("manifests")) {
                out.add(reference(d, false));
            }
        } else {
            out.add(reference(root.path("config"), false));
            for (JsonNode d : root.path("layers")) {
                out.add(reference(d, d.path("urls").isArray() && d.path("urls").size() > 0));
            }
        }
        return out;
    }

    private static Reference reference(JsonNode descriptor, boolean external) {
        if (!descriptor.isObject()) {
            throw invalid("descriptor must be an object");
        }
        String digest = text(descriptor, "digest");
        if (digest == null) {
            throw invalid("descriptor without digest");
        }
        Digest parsed;
        try {
            parsed = Digest.parse(digest);
        } catch (RegistryException e) {
            throw invalid("descriptor digest invalid: " + Digest.abbreviate(digest));
        }
        if (!descriptor.path("size").canConvertToLong() || descriptor.path("size").asLong() < 0) {
            throw invalid("descriptor " + digest + " needs a non-negative size");
        }
        return new Reference(parsed, text(descriptor, "mediaType"), descriptor.path("size").asLong(), external);
    }

    public Optional<Digest> subject() {
        JsonNode subject = root.get("subject");
        if (subject == null || subject.isNull()) {
            return Optional.empty();
        }
        return Optional.of(reference(subject, false).digest());
    }

    /** The artifact type a referrers listing shows: artifactType, else the config's media type. */
    public Optional<String> artifactType() {
        String type = text(root, "artifactType");
        if (type == null && !isIndex()) {
            type = text(root.path("config"), "mediaType");
        }
        return Optional.ofNullable(type);
    }

    public Optional<Map<String, String>> annotations() {
        JsonNode node = root.get("annotations");
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return Optional.of(out);
    }

    /** This manifest as a descriptor in a referrers index. */
    public ObjectNode descriptor(Digest digest) {
        ObjectNode d = JSON.createObjectNode();
        d.put("mediaType", mediaType);
        d.put("digest", digest.toString());
        d.put("size", content.length);
        artifactType().ifPresent(t -> d.put("artifactType", t));
        annotations().ifPresent(a -> {
            ObjectNode an = d.putObject("annotations");
            a.forEach(an::put);
        });
        return d;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    private static RegistryException invalid(String message) {
        return new RegistryException(ErrorCode.MANIFEST_INVALID, message);
    }
}
