package chj.oci;

/** How a layer blob is compressed, as its media type declares it. */
public enum Compression {
    NONE,
    GZIP,
    ZSTD
}
