package dev.berth.config;

import java.util.OptionalInt;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Distribution 3's {@code catalog.maxentries} and {@code tags.maxtags}: when set, the largest page a listing
 * answers ({@code n} above it is refused) and its default size. Unset, as in Distribution 2.8, any {@code n} is
 * answered and the default page is {@link #DEFAULT_PAGE}.
 */
@ApplicationScoped
public class ListingLimits {
    public static final int DEFAULT_PAGE = 1000;

    @ConfigProperty(name = "catalog.maxentries")
    OptionalInt catalog;

    @ConfigProperty(name = "tags.maxtags")
    OptionalInt tags;

    public OptionalInt catalog() {
        return catalog;
    }

    public OptionalInt tags() {
        return tags;
    }
}
