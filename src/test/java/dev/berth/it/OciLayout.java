package dev.berth.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Assertions;

/**
 * Writes a deterministic OCI image layout on disk for container tools to push: a multi-arch index
 * ({@code multi}) of images with gzip layers, and one of its images alone ({@code single}).
 */
final class OciLayout {
    final Path root;
    String indexDigest;
    String singleDigest;
    final List<String> blobDigests = new ArrayList<>();

    private OciLayout(Path root) {
        this.root = root;
    }

    static OciLayout write(Path root, int layersPerImage, int layerBytes) throws IOException {
        OciLayout layout = new OciLayout(root);
        Files.createDirectories(root.resolve("blobs/sha256"));
        SplittableRandom random = new SplittableRandom(7);
        List<String> children = new ArrayList<>();
        for (String arch : List.of("amd64", "arm64")) {
            StringBuilder layers = new StringBuilder();
            StringBuilder diffIds = new StringBuilder();
            for (int i = 0; i < layersPerImage; i++) {
                byte[] raw = new byte[layerBytes * (i + 1)];
                for (int b = 0; b < raw.length; b++) {
                    raw[b] = (byte) random.nextInt(256);
                }
                byte[] gz = gzip(raw);
                String d = layout.blob(gz);
                layers.append(i == 0 ? "" : ",").append(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", d, gz.length, ""));
                diffIds.append(i == 0 ? "" : ",").append('"').append(sha256(raw)).append('"');
            }
            byte[] config = ("{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                    + diffIds + "]}}").getBytes(StandardCharsets.UTF_8);
            String configDigest = layout.blob(config);
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
                    + descriptor("application/vnd.oci.image.config.v1+json", configDigest, config.length, "")
                    + ",\"layers\":[" + layers + "]}").getBytes(StandardCharsets.UTF_8);
            String manifestDigest = layout.blob(manifest);
            if (layout.singleDigest == null) {
                layout.singleDigest = manifestDigest;
            }
            children.add(descriptor("application/vnd.oci.image.manifest.v1+json", manifestDigest, manifest.length,
                    ",\"platform\":{\"architecture\":\"" + arch + "\",\"os\":\"linux\"}"));
        }
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + String.join(",", children) + "]}").getBytes(StandardCharsets.UTF_8);
        layout.indexDigest = layout.blob(index);
        String top = "{\"schemaVersion\":2,\"manifests\":["
                + descriptor("application/vnd.oci.image.index.v1+json", layout.indexDigest, index.length,
                        ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"multi\"}")
                + "," + children.get(0).replace("}}", "},\"annotations\":{\"org.opencontainers.image.ref.name\":\"single\"}}")
                + "]}";
        Files.writeString(root.resolve("index.json"), top);
        Files.writeString(root.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return layout;
    }

    private String blob(byte[] content) throws IOException {
        String digest = sha256(content);
        Files.write(root.resolve("blobs/sha256/" + digest.substring("sha256:".length())), content);
        blobDigests.add(digest);
        return digest;
    }

    /** An OCI image manifest of {@code config} and one layer of {@code layerMediaType}. */
    static String oneLayerManifest(byte[] config, byte[] layer, String layerMediaType) {
        return "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
                + descriptor("application/vnd.oci.image.config.v1+json", sha256(config), config.length, "")
                + ",\"layers\":[" + descriptor(layerMediaType, sha256(layer), layer.length, "") + "]}";
    }

    private static String descriptor(String mediaType, String digest, long size, String extra) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + extra + "}";
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    /** Every blob of this layout is in the {@code pulled} layout, byte for byte. */
    void assertSameBlobs(Path pulled) throws IOException {
        for (String digest : blobDigests) {
            String hex = digest.substring("sha256:".length());
            Path copy = pulled.resolve("blobs/sha256/" + hex);
            Assertions.assertTrue(Files.exists(copy), "pulled " + digest);
            Assertions.assertArrayEquals(Files.readAllBytes(root.resolve("blobs/sha256/" + hex)), Files.readAllBytes(copy), digest);
        }
    }

    static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
