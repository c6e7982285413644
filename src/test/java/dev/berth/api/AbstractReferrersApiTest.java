package dev.berth.api;

import static dev.berth.api.RegistryClient.OCI_INDEX;
import static dev.berth.api.RegistryClient.OCI_MANIFEST;
import static dev.berth.api.RegistryClient.artifact;
import static dev.berth.api.RegistryClient.assertError;
import static dev.berth.api.RegistryClient.bytes;
import static dev.berth.api.RegistryClient.parse;
import static dev.berth.api.RegistryClient.pushBlob;
import static dev.berth.api.RegistryClient.pushImage;
import static dev.berth.api.RegistryClient.pushManifest;
import static dev.berth.api.RegistryClient.randomBytes;
import static dev.berth.api.RegistryClient.repo;
import static dev.berth.api.RegistryClient.request;
import static dev.berth.api.RegistryClient.sha256;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.berth.api.RegistryClient.Descriptor;
import dev.berth.api.RegistryClient.Pushed;
import io.restassured.response.Response;

/** {@code /v2/<name>/referrers/<digest>}: OCI v1.1 referrers, filtered and paged. */
abstract class AbstractReferrersApiTest {
    private static final String SBOM = "application/vnd.example.sbom.v1";
    private static final String SIGNATURE = "application/vnd.example.signature.v1";

    /** The index a referrers answer carries, checked for shape. */
    private static JsonNode index(Response r) {
        r.then().statusCode(200).header("Content-Type", OCI_INDEX);
        JsonNode index = parse(r.asByteArray());
        assertEquals(2, index.path("schemaVersion").asInt());
        assertEquals(OCI_INDEX, index.path("mediaType").asText());
        assertEquals(true, index.path("manifests").isArray(), "manifests array");
        return index;
    }

    private static Map<String, JsonNode> byDigest(JsonNode index) {
        Map<String, JsonNode> out = new TreeMap<>();
        index.path("manifests").forEach(d -> out.put(d.path("digest").asText(), d));
        return out;
    }

    private record Artifacts(String repo, Pushed subject, Pushed sbom, Pushed signature) {
    }

    private static Artifacts pushTwoArtifacts() {
        String repo = repo("referrers");
        Pushed subject = pushImage(repo, "v1", OCI_MANIFEST);
        pushBlob(repo, "{}".getBytes());
        Pushed sbom = push(repo, artifact(SBOM, subject.descriptor(), Map.of("org.example.kind", "sbom", "n", "1")));
        Pushed signature = push(repo, artifact(SIGNATURE, subject.descriptor(), Map.of("org.example.kind", "signature")));
        return new Artifacts(repo, subject, sbom, signature);
    }

    private static Pushed push(String repo, JsonNode manifest) {
        byte[] body = bytes(manifest);
        return pushManifest(repo, sha256(body), OCI_MANIFEST, body);
    }

    @Test
    void noReferrersIsAnEmptyIndex() {
        String repo = repo("referrers");
        Pushed subject = pushImage(repo, "v1", OCI_MANIFEST);
        Response r = request().get("/v2/" + repo + "/referrers/" + subject.digest());
        assertEquals(0, index(r).path("manifests").size());
        r.then().header("OCI-Filters-Applied", nullValue()).header("Link", nullValue());
        // a digest the repository does not know, and a repository that does not exist: still 200
        assertEquals(0, index(request().get("/v2/" + repo + "/referrers/" + sha256(randomBytes(4)))).path("manifests").size());
        assertEquals(0, index(request().get("/v2/" + repo("none") + "/referrers/" + subject.digest())).path("manifests").size());
    }

    @Test
    void bothArtifactsAreListedWithArtifactTypeAndAnnotations() {
        Artifacts a = pushTwoArtifacts();
        Map<String, JsonNode> listed = byDigest(index(request().get("/v2/" + a.repo() + "/referrers/" + a.subject().digest())));
        assertEquals(List.of(a.sbom().digest(), a.signature().digest()).stream().sorted().toList(), new ArrayList<>(listed.keySet()));

        JsonNode sbom = listed.get(a.sbom().digest());
        assertEquals(OCI_MANIFEST, sbom.path("mediaType").asText());
        assertEquals(a.sbom().content().length, sbom.path("size").asLong());
        assertEquals(SBOM, sbom.path("artifactType").asText());
        assertEquals("sbom", sbom.path("annotations").path("org.example.kind").asText());
        assertEquals("1", sbom.path("annotations").path("n").asText());

        JsonNode signature = listed.get(a.signature().digest());
        assertEquals(SIGNATURE, signature.path("artifactType").asText());
        assertEquals(a.signature().content().length, signature.path("size").asLong());
        assertEquals("signature", signature.path("annotations").path("org.example.kind").asText());
    }

    @Test
    void artifactTypeFallsBackToTheConfigMediaType() {
        String repo = repo("referrers");
        Pushed subject = pushImage(repo, "v1", OCI_MANIFEST);
        byte[] config = "{\"kind\":\"attestation\"}".getBytes();
        pushBlob(repo, config);
        var manifest = artifact(null, subject.descriptor(), null);
        manifest.set("config", Descriptor.of("application/vnd.example.config.v1+json", config).json());
        Pushed referrer = push(repo, manifest);
        JsonNode d = byDigest(index(request().get("/v2/" + repo + "/referrers/" + subject.digest()))).get(referrer.digest());
        assertEquals("application/vnd.example.config.v1+json", d.path("artifactType").asText());
        assertFalse(d.has("annotations"));
    }

    @Test
    void artifactTypeFilterListsOnlyMatchesAndSaysSo() {
        Artifacts a = pushTwoArtifacts();
        Response r = request().get("/v2/" + a.repo() + "/referrers/" + a.subject().digest() + "?artifactType=" + SIGNATURE);
        r.then().header("OCI-Filters-Applied", "artifactType");
        assertEquals(List.of(a.signature().digest()), new ArrayList<>(byDigest(index(r)).keySet()));

        Response none = request().get("/v2/" + a.repo() + "/referrers/" + a.subject().digest() + "?artifactType=application/none");
        none.then().header("OCI-Filters-Applied", "artifactType");
        assertEquals(0, index(none).path("manifests").size());
    }

    @Test
    void pagingWithNGivesALinkToTheRest() {
        Artifacts a = pushTwoArtifacts();
        String base = "/v2/" + a.repo() + "/referrers/" + a.subject().digest();
        Response first = request().get(base + "?n=1");
        List<String> seen = new ArrayList<>(byDigest(index(first)).keySet());
        assertEquals(1, seen.size());
        String link = first.header("Link");
        assertEquals(true, link != null && link.startsWith("<" + base + "?") && link.endsWith(">; rel=\"next\""), () -> "Link: " + link);
        Response second = request().get(AbstractDiscoveryApiTest.linkPath(first));
        seen.addAll(byDigest(index(second)).keySet());
        second.then().header("Link", nullValue());
        assertEquals(List.of(a.sbom().digest(), a.signature().digest()).stream().sorted().toList(), seen);
    }

    @Test
    void aDeletedReferrerIsNoLongerListed() {
        Artifacts a = pushTwoArtifacts();
        request().delete("/v2/" + a.repo() + "/manifests/" + a.sbom().digest()).then().statusCode(202);
        assertEquals(List.of(a.signature().digest()),
                new ArrayList<>(byDigest(index(request().get("/v2/" + a.repo() + "/referrers/" + a.subject().digest()))).keySet()));
    }

    @Test
    void referrersAreListedPerRepository() {
        Artifacts a = pushTwoArtifacts();
        String other = repo("referrers");
        pushImage(other, "v1", OCI_MANIFEST);
        assertEquals(0, index(request().get("/v2/" + other + "/referrers/" + a.subject().digest())).path("manifests").size());
    }

    @Test
    void invalidDigestIs400() {
        assertError(request().get("/v2/" + repo("referrers") + "/referrers/sha256:abc"), 400, "DIGEST_INVALID");
        assertError(request().get("/v2/" + repo("referrers") + "/referrers/latest"), 400, "DIGEST_INVALID");
    }
}
