package chj.convert;

import chj.oci.Platform;
import chj.store.Metadata;
import chj.store.StoreException;

import java.nio.file.Path;
import java.util.Set;

/** Where an image goes: writes OUT from a tree, or from a packed image by way of a directory. */
abstract class Sink {

    final Job job;

    Sink(Job job) {
        this.job = job;
    }

    /** Writes OUT from a tree read where it lies. */
    abstract void write(Tree tree) throws ConvertException;

    /**
     * Writes OUT from an image that must be unpacked: by default into scratch space, which is
     * removed afterwards. Directory-like outputs override this to unpack straight into place.
     */
    void write(Source.Packed packed) throws ConvertException {
        Path dir = job.scratch().newDirectory("unpacked");
        try {
            write(unpacked(packed, dir));
        } finally {
            job.scratch().release(dir);
        }
    }

    /** Unpacks, then gives the tree the metadata its format carried (so ch-run sees its environment). */
    static Tree unpacked(Source.Packed packed, Path dir) throws ConvertException {
        Source.Unpacked u = packed.unpackInto(dir);
        if (u.config() == null) return Tree.of(u.root(), Set.of(), null);
        try {
            Metadata.write(u.root(), u.config(), Platform.host());
        } catch (StoreException e) {
            throw new ConvertException(e.getMessage(), e.hint(), e);
        }
        return new Tree(u.root(), Set.of(), u.config(), null);
    }

    /** The exclusions of {@code tree}, plus {@code path} when it lies inside the tree (output written into its own input). */
    static Set<String> excluding(Tree tree, Path path) {
        Path root = tree.root().toAbsolutePath().normalize();
        Path p = path.toAbsolutePath().normalize();
        if (!p.startsWith(root) || p.equals(root)) return tree.exclude();
        Set<String> out = new java.util.HashSet<>(tree.exclude());
        out.add(root.relativize(p).toString());
        return out;
    }
}
