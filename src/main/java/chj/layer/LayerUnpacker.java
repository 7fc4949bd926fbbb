package chj.layer;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Applies an image's layers, in order, to a directory: the changeset rules of the OCI image spec
 * (whiteouts, opaque directories, type changes, hard links into lower layers), made safe for
 * hostile input and flattened for an unprivileged user.
 *
 * <ul>
 *   <li>Nothing is written outside the root or through a symbolic link: names that climb out are
 *       refused, and so is a member whose parent is a symlink (it is never followed). Symbolic
 *       links themselves are stored as they are; they resolve at run time inside the container.
 *       (Java's paths fold a target's repeated and trailing slashes: {@code a//b/} is stored as
 *       {@code a/b}.)</li>
 *   <li>Everything belongs to the invoking user (no chown); setuid, setgid and sticky bits are
 *       dropped; files get at least u+rw and directories u+rwx, so the user can always manage
 *       the tree.</li>
 *   <li>Device files and FIFOs are skipped; {@code user.*} xattrs are applied where possible.</li>
 * </ul>
 *
 * Each layer is streamed once: nothing is held in memory, and {@link #apply} reads its stream to
 * the very end so that a digest computed around it covers the whole tar. Bad members are skipped
 * with a warning; a corrupt or truncated tar, or a tree that cannot be written, fails with a
 * {@link LayerException}. Not thread-safe: one unpacker per image, layers one after the other.
 */
public final class LayerUnpacker {

    private final Path root;
    private final RootTree tree;
    private final Consumer<String> warnings;
    private final FileData data = new FileData();
    private boolean readAhead = true;
    private boolean rootChecked;

    // the layer being applied
    private LayerReport report;
    private Whiteouts whiteouts;
    private final Set<String> aufsDirs = new LinkedHashSet<>();

    /**
     * @param root     the image root, created if missing; nothing outside it is ever written
     * @param warnings receives one line per problem worth a person's attention
     */
    public LayerUnpacker(Path root, Consumer<String> warnings) {
        this.root = root.toAbsolutePath().normalize();
        this.tree = new RootTree(this.root);
        this.warnings = warnings;
    }

    /** Whether to read the tar stream on a thread of its own (default true); for measurements. */
    void readAhead(boolean on) {
        readAhead = on;
    }

    /**
     * Applies one layer, given as its uncompressed tar stream, on top of the layers applied before.
     * Reads the stream to its end; does not close it.
     */
    public LayerStats apply(InputStream tar) throws LayerException {
        prepareRoot();
        report = new LayerReport(warnings);
        whiteouts = new Whiteouts(tree);
        aufsDirs.clear();
        InputStream source = readAhead ? new ReadAheadInputStream(tar, "chj-layer-read")
                : new BufferedInputStream(tar, Compression.BUFFER_SIZE);
        boolean done = false;
        try {
            readMembers(source);
            cleanUp();
            done = true;
        } finally {
            if (source instanceof ReadAheadInputStream r) r.close();
            if (!done) {
                try {
                    tree.purgeGraveyard(); // leave no hidden leftovers in a tree that may be kept
                } catch (IOException ignored) {
                    // the failure being thrown says more
                }
            }
        }
        report.summarize();
        return report.stats();
    }

    /**
     * Applies a layer blob as stored (gzip, zstd or plain, told by its magic bytes) and returns its
     * DiffID, the SHA-256 of the uncompressed tar. {@code blob} is read to its very end, so a caller
     * hashing it (a blob digest) covers every byte.
     *
     * @throws IOException when the blob cannot be decompressed
     */
    public chj.oci.Digest applyBlob(InputStream blob) throws LayerException, IOException {
        java.security.MessageDigest diff = chj.oci.Digest.newSha256();
        try (InputStream tar = new java.security.DigestInputStream(Compression.decompress(blob), diff)) {
            apply(tar);
        }
        return chj.oci.Digest.ofSha256(diff.digest());
    }

    /** Sets directory mtimes, now that nothing more is written below them. Call after the last layer. */
    public void finish() throws LayerException {
        try {
            tree.applyDirectoryTimes();
        } catch (IOException x) {
            throw new LayerException("cannot set directory times in " + root + ": " + reason(x), x);
        }
    }

    private void prepareRoot() throws LayerException {
        if (rootChecked) return;
        try {
            Files.createDirectories(root);
        } catch (IOException x) {
            throw new LayerException("cannot create image directory " + root + ": " + reason(x), x);
        }
        if (!Files.isDirectory(root)) throw new LayerException("image root " + root + " is not a directory");
        rootChecked = true;
    }

    /** Unpacks every member, then reads the stream to its end. */
    private void readMembers(InputStream source) throws LayerException {
        TarReader reader = new TarReader(source);
        String member = null;
        try {
            TarArchiveEntry e;
            while ((e = reader.next()) != null) {
                member = e.getName();
                report.members++;
                try {
                    unpack(e, reader);
                } catch (MemberRejected r) {
                    report.reject(member, r.getMessage());
                } catch (InvalidPathException x) {
                    report.reject(member, "its name cannot be a file name in this locale (hint: set LC_ALL=C.UTF-8)");
                }
            }
            if (reader.endedWithoutMarker()) report.warn("layer tar ends without its end-of-archive blocks: it may be truncated");
            report.tarBytes = reader.getBytesRead() + data.drain(source);
            if (source instanceof ReadAheadInputStream r) r.awaitEnd();
        } catch (TarReader.ReadFailure f) {
            throw new LayerException(member == null ? "cannot read layer tar: " + f.getMessage()
                    : "cannot read layer tar after member '" + LayerReport.printable(member) + "': " + f.getMessage(), f);
        } catch (IOException x) {
            throw new LayerException("cannot unpack layer member '" + LayerReport.printable(member) + "': " + reason(x), x);
        }
    }

    /** Drops AUFS bookkeeping directories and what whiteouts removed. */
    private void cleanUp() throws LayerException {
        try {
            for (String aufs : aufsDirs) {
                if (tree.kindOf(aufs) == RootTree.Kind.DIRECTORY) tree.bury(aufs);
            }
            tree.purgeGraveyard();
        } catch (IOException x) {
            throw new LayerException("cannot remove entries a layer deleted from " + root + ": " + reason(x), x);
        }
    }

    private void unpack(TarArchiveEntry e, TarReader reader) throws IOException, MemberRejected {
        String name = e.getName();
        if (name.isEmpty()) throw new MemberRejected("it has an empty name");
        String rel = MemberPath.normalize(name);
        if (rel == null) throw new MemberRejected("its name climbs out of the image root");
        String base = MemberPath.baseName(rel);
        if (base.startsWith(".wh.")) {
            whiteout(rel, base);
            return;
        }
        MemberType type = MemberType.of(e);
        if (rel.isEmpty()) {
            if (type == MemberType.DIRECTORY) return; // the root's own entry ("./", "/"): the root stays ours
            throw new MemberRejected("it would replace the image root");
        }
        if (RootTree.isReserved(rel)) throw new MemberRejected("its name is reserved for the unpacker");
        switch (type) {
            case DEVICE, FIFO -> {
                report.skipDevice(rel);
                return;
            }
            case UNSUPPORTED -> throw new MemberRejected("its tar type '" + (char) e.getLinkFlag() + "' is not supported");
            default -> {}
        }
        tree.ensureParent(rel);
        String aufs = MemberPath.aufsMetadataDir(rel);
        if (aufs != null) aufsDirs.add(aufs);
        Path p = tree.resolve(rel);
        switch (type) {
            case DIRECTORY -> {
                tree.makeDirectory(rel, permissions(e, 0755) | 0700);
                tree.deferDirectoryTime(rel, e.getLastModifiedTime());
                report.directories++;
                report.xattrs(Xattrs.apply(p, e.getExtraPaxHeaders()));
            }
            case FILE -> {
                if (e.getMode() > 0 && (e.getMode() & 06000) != 0) report.setidDropped++;
                try (FileChannel ch = tree.newFile(rel, permissions(e, 0644) | 0600)) {
                    report.bytes += e.isSparse() ? data.copySparse(e, reader, ch) : data.copy(reader, ch);
                }
                RootTree.setTime(p, e.getLastModifiedTime());
                report.files++;
                report.xattrs(Xattrs.apply(p, e.getExtraPaxHeaders()));
            }
            case SYMLINK -> {
                if (e.getLinkName().isEmpty()) throw new MemberRejected("its symbolic link target is empty");
                tree.makeSymlink(rel, e.getLinkName());
                RootTree.setTime(p, e.getLastModifiedTime());
                report.symlinks++;
            }
            case HARDLINK -> {
                tree.makeHardlink(rel, hardlinkTarget(rel, e.getLinkName()));
                report.hardlinks++;
            }
            default -> throw new AssertionError(type);
        }
        whiteouts.touch(rel);
    }

    /**
     * The file a hard link member links to: in the tree as it stands (this layer or a lower one),
     * or hidden by a whiteout earlier in this layer. Never through a symlink, never a directory.
     */
    private Path hardlinkTarget(String rel, String linkName) throws IOException, MemberRejected {
        String target = MemberPath.normalize(linkName);
        String quoted = "'" + LayerReport.printable(linkName) + "'";
        if (target == null) throw new MemberRejected("its hard link target " + quoted + " climbs out of the image root");
        if (target.isEmpty() || RootTree.isReserved(target))
            throw new MemberRejected("its hard link target " + quoted + " is not a file of the image");
        if (MemberPath.isWithin(target, rel)) throw new MemberRejected("it is a hard link to itself or below itself");
        return switch (tree.kindOf(target)) {
            case OTHER, SYMLINK -> tree.resolve(target);
            case DIRECTORY -> throw new MemberRejected("its hard link target " + quoted + " is a directory");
            case BEHIND_SYMLINK -> throw new MemberRejected("its hard link target " + quoted + " lies behind a symbolic link");
            case MISSING -> {
                Path hidden = whiteouts.hiddenFile(target);
                if (hidden == null) throw new MemberRejected("its hard link target " + quoted + " does not exist");
                yield hidden;
            }
        };
    }

    private void whiteout(String rel, String base) throws IOException, MemberRejected {
        String dir = MemberPath.parent(rel);
        if (base.equals(".wh..wh..opq")) {
            whiteouts.makeOpaque(dir);
        } else if (base.startsWith(".wh..wh.")) {
            return; // AUFS bookkeeping (.wh..wh.aufs, .wh..wh.plnk): not part of the image
        } else {
            String name = base.substring(".wh.".length());
            if (name.isEmpty() || name.equals(".") || name.equals(".."))
                throw new MemberRejected("it is a whiteout without a valid name");
            String target = MemberPath.join(dir, name);
            if (RootTree.isReserved(target)) throw new MemberRejected("its name is reserved for the unpacker");
            whiteouts.hide(target);
        }
        report.whiteouts++;
    }

    /** A member's permission bits (set-id and sticky dropped), or a default where its header has no valid mode. */
    private static int permissions(TarArchiveEntry e, int unknown) {
        return e.getMode() < 0 ? unknown : e.getMode() & 0777;
    }

    /** What went wrong, without the absolute path NIO puts in its messages. */
    static String reason(IOException x) {
        return switch (x) {
            case FileSystemException f when f.getReason() != null -> f.getReason();
            case AccessDeniedException a -> "permission denied";
            case NoSuchFileException n -> "no such file or directory";
            case FileAlreadyExistsException f -> "file exists";
            case NotDirectoryException n -> "not a directory";
            case DirectoryNotEmptyException d -> "directory not empty";
            default -> x.getMessage() != null ? x.getMessage() : x.getClass().getSimpleName();
        };
    }
}
