package dev.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.vertx.core.http.HttpMethod;

class RequiredAccessTest {
    static final String DIGEST = "sha256:" + "a".repeat(64);

    private static List<Access> of(HttpMethod m, String path) {
        return RequiredAccess.of(m, path);
    }

    @Test
    void readsNeedPull() {
        assertEquals(List.of(Access.pull("library/alpine")), of(HttpMethod.GET, "/v2/library/alpine/manifests/latest"));
        assertEquals(List.of(Access.pull("library/alpine")), of(HttpMethod.HEAD, "/v2/library/alpine/blobs/" + DIGEST));
        assertEquals(List.of(Access.pull("a")), of(HttpMethod.GET, "/v2/a/tags/list"));
        assertEquals(List.of(Access.pull("a/b")), of(HttpMethod.GET, "/v2/a/b/referrers/" + DIGEST));
        assertEquals(List.of(Access.pull("a/b")), of(HttpMethod.GET, "/v2/a/b/blobs/uploads/0f1e-uuid"));
    }

    @Test
    void writesNeedPullAndPush() {
        List<Access> both = List.of(Access.pull("a/b"), Access.push("a/b"));
        assertEquals(both, of(HttpMethod.POST, "/v2/a/b/blobs/uploads/"));
        assertEquals(both, of(HttpMethod.POST, "/v2/a/b/blobs/uploads"));
        assertEquals(both, of(HttpMethod.PATCH, "/v2/a/b/blobs/uploads/0f1e-uuid"));
        assertEquals(both, of(HttpMethod.PUT, "/v2/a/b/blobs/uploads/0f1e-uuid"));
        assertEquals(both, of(HttpMethod.PUT, "/v2/a/b/manifests/v1"));
    }

    @Test
    void trailingSlashesNameTheSameRepository() {
        assertEquals(List.of(Access.pull("a/b")), of(HttpMethod.GET, "/v2/a/b/tags/list/"));
        assertEquals(List.of(Access.pull("a/b")), of(HttpMethod.GET, "/v2/a/b/manifests/v1/"));
        assertEquals(List.of(Access.pull("a/b")), of(HttpMethod.HEAD, "/v2/a/b/blobs/" + DIGEST + "/"));
        assertEquals(List.of(Access.pull("a/b")), of(HttpMethod.GET, "/v2/a/b/referrers/" + DIGEST + "/"));
        assertEquals(List.of(Access.pull("a/b"), Access.push("a/b")), of(HttpMethod.PUT, "/v2/a/b/blobs/uploads/u-1/"));
    }

    @Test
    void deleteNeedsDelete() {
        assertEquals(List.of(Access.delete("a/b")), of(HttpMethod.DELETE, "/v2/a/b/manifests/" + DIGEST));
        assertEquals(List.of(Access.delete("a/b")), of(HttpMethod.DELETE, "/v2/a/b/blobs/" + DIGEST));
        assertEquals(List.of(Access.delete("a/b")), of(HttpMethod.DELETE, "/v2/a/b/blobs/uploads/0f1e-uuid"));
    }

    @Test
    void catalogAndBase() {
        assertEquals(List.of(new Access("registry", "catalog", "*")), of(HttpMethod.GET, "/v2/_catalog"));
        assertEquals(List.of(), of(HttpMethod.GET, "/v2/"));
        assertEquals(List.of(), of(HttpMethod.GET, "/v2"));
        assertEquals(List.of(new Access("registry", "catalog", "*")), of(HttpMethod.GET, "/v2/_catalog/"));
        assertNull(of(HttpMethod.GET, "/v2/nothing-here"));
        assertNull(of(HttpMethod.GET, "/v2/a/b/manifests"));
        assertNull(of(HttpMethod.GET, "/v2/a/b/tags/list/x"));
        assertEquals(Access.pull("src/repo"), RequiredAccess.mountSource("src/repo"));
    }

    /** The JAX-RS templates are {@code /v2/{name: .+}/...}: the name is the longest prefix. */
    @Test
    void namesHoldingRouteWordsResolveLikeTheRoutes() {
        assertEquals("a/blobs/b", RequiredAccess.repository("/v2/a/blobs/b/manifests/latest"));
        assertEquals("a/manifests/b", RequiredAccess.repository("/v2/a/manifests/b/blobs/" + DIGEST));
        assertEquals("a/manifests", RequiredAccess.repository("/v2/a/manifests/manifests/latest"));
        assertEquals("a/blobs", RequiredAccess.repository("/v2/a/blobs/blobs/uploads/"));
        assertEquals("a/blobs/uploads", RequiredAccess.repository("/v2/a/blobs/uploads/blobs/uploads/u-1"));
        assertEquals("x/tags/list/y", RequiredAccess.repository("/v2/x/tags/list/y/tags/list"));
        assertNull(RequiredAccess.repository("/v2/_catalog"));
        // the routes decode their name parameter
        assertEquals("a/b", RequiredAccess.repository("/v2/a%2Fb/manifests/latest"));
        assertEquals("a/b", RequiredAccess.repository("/v2/a%2fb/blobs/" + DIGEST));
        assertEquals("a/b/c", RequiredAccess.repository("/v2/a%2Fb/c/tags/list"));
        assertEquals("a+b", RequiredAccess.repository("/v2/a+b/tags/list"));
        assertEquals("a%zz", RequiredAccess.repository("/v2/a%zz/tags/list"));
        assertEquals(List.of(Access.pull("a/blobs/b"), Access.push("a/blobs/b")), of(HttpMethod.PUT, "/v2/a/blobs/b/manifests/v1"));
    }
}
