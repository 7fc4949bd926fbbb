package chj.image;

import chj.oci.MediaType;

/**
 * The manifest family a push writes: OCI (the default), or Docker image manifest v2.2 for
 * registries that predate OCI. A manifest and its config and layer descriptors are all of one
 * family, since some registries refuse mixtures.
 */
public enum ManifestFormat {
    OCI(MediaType.OCI_MANIFEST, MediaType.OCI_CONFIG),
    DOCKER(MediaType.DOCKER_MANIFEST, MediaType.DOCKER_CONFIG);

    private final String manifestType, configType;

    ManifestFormat(String manifestType, String configType) {
        this.manifestType = manifestType;
        this.configType = configType;
    }

    public String manifestType() {
        return manifestType;
    }

    public String configType() {
        return configType;
    }

    /** The family of a manifest media type. */
    static ManifestFormat of(String manifestMediaType) {
        return manifestMediaType != null && MediaType.essence(manifestMediaType).equals(MediaType.DOCKER_MANIFEST) ? DOCKER : OCI;
    }

    /**
     * A layer media type in this family: the same compression under this family's name. Types
     * without a counterpart (non-distributable layers, unknown ones) stay as they are.
     *
     * @throws ImageException for zstd layers in a Docker manifest, which has no zstd type
     */
    String layerType(String mediaType) throws ImageException {
        String e = MediaType.essence(mediaType);
        return switch (this) {
            case OCI -> switch (e) {
                case MediaType.DOCKER_LAYER_TAR_GZIP -> MediaType.OCI_LAYER_TAR_GZIP;
                case MediaType.DOCKER_LAYER_TAR -> MediaType.OCI_LAYER_TAR;
                default -> mediaType;
            };
            case DOCKER -> switch (e) {
                case MediaType.OCI_LAYER_TAR_GZIP -> MediaType.DOCKER_LAYER_TAR_GZIP;
                case MediaType.OCI_LAYER_TAR -> MediaType.DOCKER_LAYER_TAR;
                case MediaType.OCI_LAYER_TAR_ZSTD -> throw new ImageException(
                        "a Docker image manifest can't hold zstd layers", "push with --format=oci, or --compress=gzip");
                default -> mediaType;
            };
        };
    }

    /** The option's spelling. */
    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
