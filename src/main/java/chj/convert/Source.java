package chj.convert;

import chj.oci.ImageConfig;

import java.nio.file.Path;

/** Where an image comes from: a tree that can be read where it lies, or a packed image to unpack first. */
sealed interface Source extends AutoCloseable permits Source.InPlace, Source.Packed {

    /** Releases what reading the input held (a store image's lock). */
    @Override
    default void close() {
    }

    /** A directory, or an image in the store, read where it lies. */
    record InPlace(Tree tree, AutoCloseable held) implements Source {
        @Override
        public void close() {
            if (held == null) return;
            try {
                held.close();
            } catch (Exception e) {
                // a lock release that fails changes nothing the user can act on
            }
        }
    }

    /** A tarball, SquashFS file, OCI layout or Docker/Podman image: unpacked to be read. */
    non-sealed interface Packed extends Source {
        /** Unpacks into the empty directory {@code dir}. */
        Unpacked unpackInto(Path dir) throws ConvertException;
    }

    /**
     * An unpacked image.
     *
     * @param root   {@code dir} or, for a tarball with one top-level directory, that directory
     * @param config the config the format carried (OCI, Docker); null when the tree's own {@code ch/}
     *               says all there is
     */
    record Unpacked(Path root, ImageConfig config) {}
}
