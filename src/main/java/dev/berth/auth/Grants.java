package dev.berth.auth;

import java.util.Collection;
import java.util.List;

/** What an authenticated caller may do. */
public interface Grants {

    boolean allows(Access access);

    default boolean allowsAll(Collection<Access> accesses) {
        return accesses.stream().allMatch(this::allows);
    }

    Grants EVERYTHING = access -> true;

    /** Who the caller is (htpasswd user, token subject), for notifications' actor; empty when unknown. */
    default String subject() {
        return "";
    }

    /** {@code grants}, for {@code subject}. */
    static Grants of(String subject, Grants grants) {
        return new Grants() {
            @Override
            public boolean allows(Access access) {
                return grants.allows(access);
            }

            @Override
            public String subject() {
                return subject;
            }
        };
    }

    /** Grants from a token's {@code access} claim: type and name match, and the action or "*" is listed. */
    static Grants of(List<TokenAccess> granted) {
        return access -> granted.stream().anyMatch(g -> g.type().equals(access.type()) && g.name().equals(access.name())
                && (g.actions().contains(access.action()) || g.actions().contains("*")));
    }

    /** One entry of the token's access claim. */
    record TokenAccess(String type, String name, List<String> actions) {
    }
}
