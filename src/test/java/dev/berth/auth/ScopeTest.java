package dev.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class ScopeTest {

    @Test
    void simpleScope() {
        assertEquals(new Scope("repository", "library/alpine", List.of("pull", "push")), Scope.parse("repository:library/alpine:pull,push"));
        assertEquals(new Scope("registry", "catalog", List.of("*")), Scope.parse("registry:catalog:*"));
    }

    @Test
    void nameMayHoldHostAndPort() {
        assertEquals(new Scope("repository", "localhost:5000/team/app", List.of("pull")), Scope.parse("repository:localhost:5000/team/app:pull"));
        assertEquals(new Scope("repository", "127.0.0.1:443/x", List.of("pull", "push")), Scope.parse("repository:127.0.0.1:443/x:pull,push"));
    }

    @Test
    void resourceClassIsIgnored() {
        assertEquals(new Scope("repository", "a/b", List.of("pull")), Scope.parse("repository(plugin):a/b:pull"));
    }

    @Test
    void severalScopesAreSpaceSeparated() {
        assertEquals(List.of(new Scope("repository", "a", List.of("pull")), new Scope("repository", "host:5000/b", List.of("push", "pull")),
                new Scope("registry", "catalog", List.of("*"))),
                Scope.parseAll(" repository:a:pull  repository:host:5000/b:push,pull registry:catalog:*"));
        assertEquals(List.of(), Scope.parseAll("  "));
    }

    @Test
    void malformedScopesAreRefused() {
        for (String bad : List.of("repository", "repository:a", ":a:pull", "repository:a:", "a:pull")) {
            assertThrows(IllegalArgumentException.class, () -> Scope.parse(bad), bad);
        }
    }
}
