package dev.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class ChallengesTest {

    @Test
    void bearerWithScopeAndError() {
        assertEquals("Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\",scope=\"repository:a/b:pull,push\","
                + "error=\"insufficient_scope\"", Challenges.bearer("https://auth.example.com/token", "registry.example.com",
                        List.of(Access.pull("a/b"), Access.push("a/b")), "insufficient_scope"));
    }

    @Test
    void bearerWithoutScopeOrError() {
        assertEquals("Bearer realm=\"r\",service=\"s\"", Challenges.bearer("r", "s", List.of(), null));
        assertEquals("Bearer realm=\"r\",service=\"s\",error=\"invalid_token\"", Challenges.bearer("r", "s", List.of(), "invalid_token"));
    }

    @Test
    void severalResourcesAreSpaceSeparated() {
        assertEquals("repository:a:pull,push repository:b:pull registry:catalog:*",
                Challenges.scope(List.of(Access.pull("a"), Access.pull("b"), Access.push("a"), Access.CATALOG, Access.pull("a"))));
    }

    @Test
    void basicAndQuoting() {
        assertEquals("Basic realm=\"Berth Registry\"", Challenges.basic("Berth Registry"));
        assertEquals("Basic realm=\"a \\\"quoted\\\" \\\\ realm\"", Challenges.basic("a \"quoted\" \\ realm"));
    }
}
