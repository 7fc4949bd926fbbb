package chj.oci;

import java.util.List;

/** The media types chj reads and writes (image-spec media-types.md, Docker image manifest v2.2). */
public final class MediaType {

    private MediaType() {}

    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
    public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_LAYER_TAR_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    public static final String OCI_NONDISTRIBUTABLE_LAYER_TAR = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public static final String OCI_NONDISTRIBUTABLE_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    public static final String OCI_NONDISTRIBUTABLE_LAYER_TAR_ZSTD = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_PLUGIN_CONFIG = "application/vnd.docker.plugin.v1+json";
    public static final String DOCKER_LAYER_TAR_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    /** Not in the Docker spec, but some tools label uncompressed layers so. */
    public static final String DOCKER_LAYER_TAR = "application/vnd.docker.image.rootfs.diff.tar";
    public static final String DOCKER_FOREIGN_LAYER_TAR_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    public static final String DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";
    public static final String DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /** Manifest-list and index types, the ones a pull asks for first. */
    public static final List<String> INDEX_TYPES = List.of(DOCKER_MANIFEST_LIST, OCI_INDEX);
    /** Single-image manifest types. */
    public static final List<String> MANIFEST_TYPES = List.of(DOCKER_MANIFEST, OCI_MANIFEST);

    /** The type without parameters ({@code ; charset=…}) and surrounding blanks. */
    public static String essence(String mediaType) {
        int semi = mediaType.indexOf(';');
        return (semi >= 0 ? mediaType.substring(0, semi) : mediaType).trim();
    }

    public static boolean isIndex(String mediaType) {
        return mediaType != null && INDEX_TYPES.contains(essence(mediaType));
    }

    public static boolean isImageManifest(String mediaType) {
        return mediaType != null && MANIFEST_TYPES.contains(essence(mediaType));
    }

    public static boolean isSchema1(String mediaType) {
        if (mediaType == null) return false;
        String e = essence(mediaType);
        return e.equals(DOCKER_SCHEMA1) || e.equals(DOCKER_SCHEMA1_SIGNED);
    }

    /** Layers that registries may not serve and pushes must not upload (deprecated, still consumed). */
    public static boolean isNondistributable(String mediaType) {
        if (mediaType == null) return false;
        String e = essence(mediaType);
        return e.startsWith("application/vnd.oci.image.layer.nondistributable.") || e.equals(DOCKER_FOREIGN_LAYER_TAR_GZIP);
    }

    /**
     * Checks that a layer descriptor's media type is a tar layer (plain, gzip or zstd; distributable
     * or not; OCI or Docker). The declared compression itself is not trusted: registries mislabel
     * it, so the unpacker goes by the blob's magic bytes.
     *
     * @throws OciException naming the type when it is not a layer type chj knows
     */
    public static void checkLayer(String layerMediaType) throws OciException {
        if (layerMediaType == null) throw new OciException("layer has no media type");
        switch (essence(layerMediaType)) {
            case OCI_LAYER_TAR, OCI_NONDISTRIBUTABLE_LAYER_TAR, DOCKER_LAYER_TAR,
                 OCI_LAYER_TAR_GZIP, OCI_NONDISTRIBUTABLE_LAYER_TAR_GZIP, DOCKER_LAYER_TAR_GZIP, DOCKER_FOREIGN_LAYER_TAR_GZIP,
                 OCI_LAYER_TAR_ZSTD, OCI_NONDISTRIBUTABLE_LAYER_TAR_ZSTD -> { }
            default -> throw new OciException("unsupported layer media type: " + layerMediaType,
                    "chj unpacks tar layers, plain or compressed with gzip or zstd");
        }
    }
}
