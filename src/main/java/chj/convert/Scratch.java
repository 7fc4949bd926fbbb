package chj.convert;

import chj.Log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Temporary space for intermediate images (a tarball or OCI archive unpacked before it is packed
 * again): a directory {@code ch-convert.XXXXXX} below {@code --tmp}, else {@code $TMPDIR}, else
 * {@code /var/tmp}, made when first needed and removed at the end, failed or not.
 */
final class Scratch implements AutoCloseable {

    private final Path parent;
    private final Log log;
    private Path dir;
    private int made;

    Scratch(Path parent, Log log) {
        this.parent = parent;
        this.log = log;
    }

    /** The parent directory: {@code --tmp} if given, else TMPDIR, else /var/tmp; it must be absolute. */
    static Path parent(String option, String tmpdirEnv) throws ConvertException {
        String p = option != null && !option.isEmpty() ? option
                : tmpdirEnv != null && !tmpdirEnv.isEmpty() ? tmpdirEnv : "/var/tmp";
        if (!p.startsWith("/")) throw new ConvertException("temp dir must be absolute: " + p);
        return Path.of(p);
    }

    /** A new empty directory in the scratch space. */
    Path newDirectory(String purpose) throws ConvertException {
        try {
            if (dir == null) {
                if (!Files.isDirectory(parent)) throw new ConvertException("temp dir is not a directory: " + parent);
                dir = Files.createTempDirectory(parent, "ch-convert.");
                log.verbose("temp dir: " + dir);
            }
            return Files.createDirectory(dir.resolve(purpose + "." + made++));
        } catch (IOException e) {
            throw new ConvertException("can't make a temporary directory in " + parent + ": " + e.getMessage());
        }
    }

    /** Removes one directory made here, as soon as it is no longer needed. */
    void release(Path d) {
        FileTrees.deleteQuietly(d, log);
    }

    @Override
    public void close() {
        if (dir != null) FileTrees.deleteQuietly(dir, log);
    }
}
