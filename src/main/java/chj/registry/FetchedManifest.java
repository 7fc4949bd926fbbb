package chj.registry;

import chj.oci.Digest;

/**
 * A manifest or index as the registry served it.
 *
 * @param bytes               the body exactly as served (its digest is the image's digest; never re-serialise)
 * @param contentType         the Content-Type header as sent, or null; registries get it wrong, so
 *                            callers decide the type from the body
 * @param dockerContentDigest the Docker-Content-Digest header, or null when absent or unparsable; not
 *                            trusted (for schema 1 it legitimately differs from {@code digest})
 * @param digest              SHA-256 of {@code bytes}; verified equal to the requested digest when
 *                            fetched by digest
 */
public record FetchedManifest(byte[] bytes, String contentType, Digest dockerContentDigest, Digest digest) {

    /** The Content-Type without parameters, lower case, or null. */
    public String contentTypeBase() {
        if (contentType == null) return null;
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(java.util.Locale.ROOT);
    }
}
