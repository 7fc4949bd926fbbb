package chj.layer;

import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Writes a directory tree, or the changes of one layer, as a reproducible tar: the same tree gives
 * the same bytes, whoever writes it and whenever.
 *
 * <ul>
 *   <li>Depth first; the entries of a directory in byte order of their UTF-8 names, its whiteouts
 *       (opaque marker first) before them, as the image spec asks.</li>
 *   <li>Owned by 0:0 with empty user and group names; permission bits only (setuid, setgid and
 *       sticky dropped); mtimes in whole seconds, clamped to {@link #clampMtimes} when set
 *       (SOURCE_DATE_EPOCH).</li>
 *   <li>PAX records for long names and link targets, non-ASCII names and sizes past 8 GiB.</li>
 *   <li>Hard links kept: the second and later paths of an inode are type-1 links to the first.
 *       Symlinks are stored as they are. Devices, FIFOs and sockets are skipped and counted.</li>
 *   <li>{@code user.*} extended attributes as {@code SCHILY.xattr} records, when asked.</li>
 * </ul>
 *
 * The tree is streamed: one file open at a time, nothing held in memory but names and the inode
 * map of hard-linked files. A file that changes size while it is read fails the write.
 */
public final class LayerWriter {

    /** What a tar write produced: its DiffID (SHA-256 of the tar bytes), size and counts. */
    public record Written(chj.oci.Digest diffId, long size, long entries, long hardlinks, long whiteouts, long skipped) {}

    private final Consumer<String> warnings;
    private final Set<String> exclude = new HashSet<>();
    private Long clamp; // seconds
    private boolean xattrs;

    /** @param warnings receives one line per thing worth a person's attention (files skipped) */
    public LayerWriter(Consumer<String> warnings) {
        this.warnings = warnings;
    }

    /** Paths (relative to the root) left out, each with everything below it, e.g. {@code ch/git}. */
    public LayerWriter exclude(Collection<String> paths) {
        for (String p : paths) {
            String rel = MemberPath.normalize(p);
            if (rel == null || rel.isEmpty()) throw new IllegalArgumentException("cannot exclude " + p);
            exclude.add(rel);
        }
        return this;
    }

    /** No mtime later than this (null: none), as SOURCE_DATE_EPOCH asks of reproducible builds. */
    public LayerWriter clampMtimes(Instant latest) {
        clamp = latest == null ? null : latest.getEpochSecond();
        return this;
    }

    /** Whether to write {@code user.*} extended attributes (default no). */
    public LayerWriter xattrs(boolean on) {
        xattrs = on;
        return this;
    }

    /**
     * SOURCE_DATE_EPOCH from an environment, or null when unset or empty.
     *
     * @throws LayerException when it is set but not a number of seconds
     */
    public static Instant sourceDateEpoch(Map<String, String> env) throws LayerException {
        String s = env.get("SOURCE_DATE_EPOCH");
        if (s == null || s.isBlank()) return null;
        try {
            long v = Long.parseLong(s.strip());
            if (v < 0) throw new NumberFormatException();
            return Instant.ofEpochSecond(v);
        } catch (NumberFormatException e) {
            throw new LayerException("SOURCE_DATE_EPOCH is not a non-negative number of seconds: " + s);
        }
    }

    /** Writes the whole tree below {@code root} (not the root's own entry). Does not close {@code out}. */
    public Written writeTree(Path root, OutputStream out) throws LayerException {
        return write(root, LayerChanges.wholeTree(), out);
    }

    /** Writes one layer's changes, their content read from {@code root}. Does not close {@code out}. */
    public Written write(Path root, LayerChanges changes, OutputStream out) throws LayerException {
        DigestingOutputStream digest = new DigestingOutputStream(new Unclosable(out));
        TarWalk walk;
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new BufferedOutputStream(digest, 1 << 16))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            walk = new TarWalk(root, tar, exclude, clamp, xattrs);
            try {
                walk.write(changes);
            } catch (TarWalk.Failure f) {
                throw new LayerException(f.getMessage(), f.getCause());
            } catch (IOException e) {
                throw new LayerException("cannot write tar of " + root + " at '" + LayerReport.printable(walk.current())
                        + "': " + reason(e), e);
            }
            tar.finish();
        } catch (IOException e) {
            throw new LayerException("cannot write tar of " + root + ": " + reason(e), e);
        }
        if (walk.xattrsSkipped > 0)
            warnings.accept("skipped " + walk.xattrsSkipped + " extended attribute(s) whose values are not text");
        if (walk.skipped > 0)
            warnings.accept("skipped " + walk.skipped + " device file(s), FIFO(s) or socket(s), e.g. '"
                    + LayerReport.printable(walk.firstSkipped) + "'");
        return new Written(digest.digest(), digest.count(), walk.entries, walk.hardlinks, walk.whiteouts, walk.skipped);
    }

    /**
     * Writes one layer as a compressed blob into {@code out} (not closed), computing both digests on
     * the way: the tar's (DiffID, for the config) and the blob's (for the manifest).
     */
    public LayerBlob writeBlob(Path root, LayerChanges changes, Compression compression, int threads, OutputStream out)
            throws LayerException {
        DigestingOutputStream blob = new DigestingOutputStream(new Unclosable(out));
        Written tar;
        try (OutputStream compressed = Compressors.compress(compression, blob, threads)) {
            tar = write(root, changes, compressed);
        } catch (IOException e) {
            throw new LayerException("cannot compress layer of " + root + ": " + reason(e), e);
        }
        return new LayerBlob(tar, blob.digest(), blob.count(), compression);
    }

    private static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null)
            return (f.getFile() == null ? "" : f.getFile() + ": ") + f.getReason();
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** Lets the tar writer close its stream (to finish it) without closing the caller's. */
    private static final class Unclosable extends FilterOutputStream {
        Unclosable(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
