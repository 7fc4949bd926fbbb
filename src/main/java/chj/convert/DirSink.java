package chj.convert;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A directory image. OUT must not exist, be an empty directory, or be an image directory (it has
 * {@code bin}, {@code dev} and {@code usr}), which is replaced unless --no-clobber; anything else
 * is refused. The image is built under a temporary name beside OUT and renamed onto it when done,
 * with the mount points ch-run needs and every directory u+rwx.
 */
final class DirSink extends Sink {

    private final Path out;

    DirSink(Path out, Job job) throws ConvertException {
        super(job);
        this.out = out;
        Path parent = out.toAbsolutePath().normalize().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new ConvertException("not a directory: " + parent);
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) throw new ConvertException("exists but not a directory: " + out);
            if (!isEmpty(out)) {
                if (!looksLikeImage(out)) throw new ConvertException("exists but does not appear to be an image: " + out);
                if (job.noClobber()) throw new ConvertException("exists, not deleting per --no-clobber: " + out);
            }
        }
    }

    private static boolean isEmpty(Path dir) throws ConvertException {
        try {
            return FileTrees.list(dir).isEmpty();
        } catch (IOException e) {
            throw new ConvertException("can't read " + dir + ": " + e.getMessage());
        }
    }

    static boolean looksLikeImage(Path dir) {
        return Files.isDirectory(dir.resolve("bin")) && Files.isDirectory(dir.resolve("dev")) && Files.isDirectory(dir.resolve("usr"));
    }

    @Override
    void write(Tree tree) throws ConvertException {
        try (PendingOutput pending = PendingOutput.beside(out, job.log())) {
            job.log().info("exporting ...");
            try {
                Files.createDirectory(pending.path());
                FileTrees.copy(tree.root(), pending.path(), excluding(tree, pending.path()), job.log());
            } catch (IOException e) {
                throw new ConvertException("can't copy " + tree.root() + " to " + pending.path() + ": " + e.getMessage(), null, e);
            }
            finish(pending, pending.path());
        }
    }

    @Override
    void write(Source.Packed packed) throws ConvertException {
        try (PendingOutput pending = PendingOutput.beside(out, job.log())) {
            try {
                Files.createDirectory(pending.path());
            } catch (IOException e) {
                throw new ConvertException("can't create " + pending.path() + ": " + e.getMessage());
            }
            finish(pending, unpacked(packed, pending.path()).root());
        }
    }

    private void finish(PendingOutput pending, Path root) throws ConvertException {
        try {
            MountPoints.add(root);
            FileTrees.makeManageable(root);
        } catch (IOException e) {
            throw new ConvertException("can't prepare image directory " + root + ": " + e.getMessage(), null, e);
        }
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS) && !isEmpty(out)) job.log().info("replacing existing image: " + out);
        pending.commit(root);
    }
}
