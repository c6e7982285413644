package dev.berth.proxy;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the upstream registry asked for: nothing, Basic ({@code proxy.username}/{@code password}), or
 * a Docker token from the realm of its {@code Bearer} challenge, kept per scope until it expires.
 */
final class UpstreamAuth {
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    /** Docker's default when a token service gives no {@code expires_in}. */
    private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);
    /** A token this close to expiry is not sent any more: it could expire on the way. */
    private static final Duration MARGIN = Duration.ofSeconds(5);

    private record Token(String value, long expiresAtNanos) {
    }

    /** A Bearer challenge: where to get a token, and for what. */
    record Challenge(String realm, String service, String scope) {
    }

    private final Optional<String> basic;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    /** Set once upstream answered a Basic challenge: later requests send credentials at once. */
    private volatile boolean basicAsked;

    UpstreamAuth(ProxySettings settings) {
        this.basic = settings.username().map(u -> "Basic " + Base64.getEncoder()
                .encodeToString((u + ":" + settings.password().orElse("")).getBytes(StandardCharsets.UTF_8)));
    }

    static String scope(String repository) {
        return "repository:" + repository + ":pull";
    }

    /** The Authorization to send for {@code scope} now, if any is known to be needed. */
    Optional<String> authorization(String scope) {
        Token token = scope == null ? null : tokens.get(scope);
        if (token != null && System.nanoTime() < token.expiresAtNanos()) {
            return Optional.of("Bearer " + token.value());
        }
        return basicAsked ? basic : Optional.empty();
    }

    Optional<String> basic() {
        return basic;
    }

    /** Upstream refused with a Basic challenge: true when credentials are configured and may be sent. */
    boolean basicChallenged() {
        basicAsked = basic.isPresent();
        return basicAsked;
    }

    /** A {@code Bearer} challenge's parameters, or empty for another scheme. */
    static Optional<Challenge> bearer(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        Map<String, String> params = new HashMap<>();
        Matcher m = PARAM.matcher(header);
        while (m.find()) {
            params.put(m.group(1).toLowerCase(), m.group(2));
        }
        String realm = params.get("realm");
        return realm == null ? Optional.empty() : Optional.of(new Challenge(realm, params.get("service"), params.get("scope")));
    }

    /** The token request's URL for {@code challenge}, asking for {@code scope} when the challenge names none. */
    static String tokenUrl(Challenge challenge, String scope) {
        StringBuilder url = new StringBuilder(challenge.realm()).append(challenge.realm().contains("?") ? '&' : '?');
        if (challenge.service() != null) {
            url.append("service=").append(URLEncoder.encode(challenge.service(), StandardCharsets.UTF_8)).append('&');
        }
        String wanted = challenge.scope() != null ? challenge.scope() : scope;
        return url.append("scope=").append(URLEncoder.encode(wanted, StandardCharsets.UTF_8)).toString();
    }

    /** Keeps a token for {@code scope} for {@code expiresIn} seconds (0: the default lifetime). */
    void keep(String scope, String token, long expiresIn) {
        Duration lifetime = expiresIn > 0 ? Duration.ofSeconds(expiresIn) : DEFAULT_TOKEN_LIFETIME;
        tokens.put(scope, new Token(token, System.nanoTime() + lifetime.minus(MARGIN).toNanos()));
    }

    /** Drops the token for {@code scope}, which upstream refused. */
    void forget(String scope) {
        tokens.remove(scope);
    }
}
