package dev.berth.auth;

/** One access a request needs or a token grants: {@code repository:library/alpine:pull}. */
public record Access(String type, String name, String action) {

    public static Access pull(String repository) {
        return new Access("repository", repository, "pull");
    }

    public static Access push(String repository) {
        return new Access("repository", repository, "push");
    }

    public static Access delete(String repository) {
        return new Access("repository", repository, "delete");
    }

    public static final Access CATALOG = new Access("registry", "catalog", "*");
}
