package dev.berth.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import dev.berth.config.ListingLimits;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;

/** {@code n}/{@code last} paging over a sorted list, with the {@code Link: <...>; rel="next"} header. */
record Pagination(int n, String last) {
    static Pagination parse(String n, String last) {
        return parse(n, last, OptionalInt.empty());
    }

    /** With {@code max} set (catalog.maxentries, tags.maxtags), it is the default page and {@code n} above it is refused. */
    static Pagination parse(String n, String last, OptionalInt max) {
        int size = max.orElse(ListingLimits.DEFAULT_PAGE);
        if (n != null && !n.isEmpty()) {
            try {
                size = Integer.parseInt(n);
            } catch (NumberFormatException e) {
                throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "n must be a non-negative number", Map.of("n", n));
            }
            if (size < 0) {
                throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "n must be a non-negative number", Map.of("n", n));
            }
            if (max.isPresent() && size > max.getAsInt()) {
                throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "n must be at most " + max.getAsInt(), Map.of("n", n));
            }
        }
        return new Pagination(size, last == null || last.isEmpty() ? null : last);
    }

    /** The entries after {@code last}, at most {@code n}. */
    List<String> page(List<String> sorted) {
        List<String> after = last == null ? sorted : sorted.stream().filter(s -> s.compareTo(last) > 0).toList();
        return after.size() <= n ? after : after.subList(0, n);
    }

    /** True when entries remain after {@code page}. */
    boolean more(List<String> sorted, List<String> page) {
        if (page.isEmpty()) {
            return false;
        }
        String end = page.get(page.size() - 1);
        return sorted.stream().anyMatch(s -> s.compareTo(end) > 0);
    }

    String link(String path, String end) {
        return "<" + path + "?n=" + n + "&last=" + URLEncoder.encode(end, StandardCharsets.UTF_8) + ">; rel=\"next\"";
    }
}
