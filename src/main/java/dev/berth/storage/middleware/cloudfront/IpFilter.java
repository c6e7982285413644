package dev.berth.storage.middleware.cloudfront;

import java.util.Locale;

/** {@code ipfilteredby}: which clients get the S3 URL instead of CloudFront. */
public enum IpFilter {
    /** Everyone gets CloudFront. */
    NONE,
    /** Clients inside any AWS range get S3. */
    AWS,
    /** Clients inside the AWS ranges of the {@code awsregion} regions get S3. */
    AWSREGION;

    /** Case- and space-insensitive, empty means none, as in Distribution. */
    static IpFilter parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "", "none" -> NONE;
            case "aws" -> AWS;
            case "awsregion" -> AWSREGION;
            default -> throw new IllegalArgumentException(v);
        };
    }
}
