package dev.berth.auth;

import java.util.ArrayList;
import java.util.List;

/**
 * A token scope, {@code resourcetype[(class)]:resourcename:action[,action]}, parsed by the grammar:
 * the name may itself hold colons ({@code repository:localhost:5000/app:pull}), so the type ends at
 * the first colon and the actions start after the last one. Several scopes are space-separated.
 */
public record Scope(String type, String name, List<String> actions) {

    public static List<Scope> parseAll(String scopes) {
        List<Scope> out = new ArrayList<>();
        for (String s : scopes.trim().split("\\s+")) {
            if (!s.isEmpty()) {
                out.add(parse(s));
            }
        }
        return out;
    }

    public static Scope parse(String scope) {
        int first = scope.indexOf(':');
        int last = scope.lastIndexOf(':');
        if (first <= 0 || last == first || last == scope.length() - 1) {
            throw new IllegalArgumentException("malformed scope: " + scope);
        }
        String type = scope.substring(0, first);
        int paren = type.indexOf('(');
        if (paren >= 0) {
            // the resource class is deprecated and ignored
            type = type.substring(0, paren);
        }
        List<String> actions = new ArrayList<>();
        for (String a : scope.substring(last + 1).split(",")) {
            if (!a.isBlank()) {
                actions.add(a.trim());
            }
        }
        return new Scope(type, scope.substring(first + 1, last), actions);
    }
}
