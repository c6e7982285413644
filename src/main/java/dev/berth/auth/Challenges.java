package dev.berth.auth;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The text of WWW-Authenticate challenges. */
final class Challenges {
    private Challenges() {
    }

    static String basic(String realm) {
        return "Basic realm=" + quote(realm);
    }

    /** {@code Bearer realm="...",service="...",scope="repository:a:pull,push"[,error="..."]}. */
    static String bearer(String realm, String service, List<Access> needed, String error) {
        StringBuilder s = new StringBuilder("Bearer realm=").append(quote(realm)).append(",service=").append(quote(service));
        String scope = scope(needed);
        if (!scope.isEmpty()) {
            s.append(",scope=").append(quote(scope));
        }
        if (error != null) {
            s.append(",error=").append(quote(error));
        }
        return s.toString();
    }

    /** Accesses grouped per resource, space-separated: {@code repository:a:pull,push registry:catalog:*}. */
    static String scope(List<Access> needed) {
        Map<String, Set<String>> byResource = new LinkedHashMap<>();
        for (Access a : needed) {
            byResource.computeIfAbsent(a.type() + ":" + a.name(), k -> new LinkedHashSet<>()).add(a.action());
        }
        StringBuilder s = new StringBuilder();
        byResource.forEach((resource, actions) -> s.append(s.length() == 0 ? "" : " ").append(resource).append(':')
                .append(String.join(",", actions)));
        return s.toString();
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
