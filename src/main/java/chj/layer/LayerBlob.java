package chj.layer;

import chj.oci.Digest;

/**
 * A layer written as a blob: the tar's DiffID (for the config's {@code rootfs.diff_ids}) and the
 * compressed blob's digest and size (for the manifest's layer descriptor).
 */
public record LayerBlob(LayerWriter.Written tar, Digest digest, long size, Compression compression) {

    public Digest diffId() {
        return tar.diffId();
    }

    /** The OCI media type of the blob. */
    public String mediaType() {
        return Compressors.layerMediaType(compression);
    }
}
