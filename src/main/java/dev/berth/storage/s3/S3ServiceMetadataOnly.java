package dev.berth.storage.s3;

import java.util.Map;

import com.oracle.svm.core.annotate.Alias;
import com.oracle.svm.core.annotate.RecomputeFieldValue;
import com.oracle.svm.core.annotate.Substitute;
import com.oracle.svm.core.annotate.TargetClass;

import software.amazon.awssdk.regions.ServiceMetadata;
import software.amazon.awssdk.regions.servicemetadata.S3ServiceMetadata;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Native image only (the JVM ignores it): the SDK's endpoint table of all 313 AWS services is built into the image
 * heap whole (3.7 MB of the image heap, 6,500 endpoint keys), although the only service Berth's clients ask about
 * is S3 ({@code ServiceMetadata.of(SERVICE_METADATA_ID)}, from the S3 client, its presigner and their endpoint and
 * signing-region defaults). This keeps S3's entry; any other name has none, as a name the SDK does not know.
 */
@TargetClass(className = "software.amazon.awssdk.regions.GeneratedServiceMetadataProvider")
final class S3ServiceMetadataOnly {
    @Alias
    @RecomputeFieldValue(kind = RecomputeFieldValue.Kind.Reset)
    private static Map<String, ServiceMetadata> SERVICE_METADATA;

    @Substitute
    public ServiceMetadata serviceMetadata(String endpointPrefix) {
        return S3AsyncClient.SERVICE_METADATA_ID.equals(endpointPrefix) ? new S3ServiceMetadata() : null;
    }
}
