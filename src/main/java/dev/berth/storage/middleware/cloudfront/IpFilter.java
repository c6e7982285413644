package dev.berth.storage.middleware.cloudfront;

/** {@code ipfilteredby}: which clients get the S3 URL instead of CloudFront. */
public enum IpFilter {
    /** Everyone gets CloudFront. */
    NONE,
    /** Clients inside any AWS range get S3. */
    AWS,
    /** Clients inside the AWS ranges of the {@code awsregion} regions get S3. */
    AWSREGION
}
