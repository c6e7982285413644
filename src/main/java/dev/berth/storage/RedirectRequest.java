package dev.berth.storage;

/** What a redirecting driver or middleware may look at: the method and the client's address. */
public record RedirectRequest(String method, String clientAddress) {
}
