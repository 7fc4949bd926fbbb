package chj.layer;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveStructSparse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
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
 *       links themselves are stored as they are; they resolve at run time inside the container.</li>
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

    /** Per-member warnings per layer before the rest are only counted. */
    private static final int MAX_MEMBER_WARNINGS = 20;

    private final Path root;
    private final RootTree tree;
    private final Consumer<String> warnings;
    private final byte[] buffer = new byte[Compression.BUFFER_SIZE];
    private boolean readAhead = true;
    private boolean rootChecked;

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
        Layer layer = new Layer();
        InputStream source = readAhead ? new ReadAheadInputStream(tar, "chj-layer-read") : tar;
        TarReader reader = new TarReader(source);
        String member = null;
        try {
            TarArchiveEntry e;
            while ((e = reader.next()) != null) {
                member = e.getName();
                layer.members++;
                try {
                    unpack(e, reader, layer);
                } catch (MemberRejected r) {
                    layer.reject(member, r.getMessage());
                } catch (InvalidPathException x) {
                    layer.reject(member, "its name cannot be a file name in this locale (hint: set LC_ALL=C.UTF-8)");
                }
            }
            if (reader.endedWithoutMarker())
                warnings.accept("layer tar ends without its end-of-archive blocks: it may be truncated");
            layer.tarBytes = reader.getBytesRead() + drain(source);
            if (source instanceof ReadAheadInputStream r) r.awaitEnd();
            for (String aufs : layer.aufsDirs) {
                if (tree.kindOf(aufs) == RootTree.Kind.DIRECTORY) tree.bury(aufs);
            }
            tree.purgeGraveyard();
        } catch (TarReader.ReadFailure f) {
            throw new LayerException(member == null ? "cannot read layer tar: " + f.getMessage()
                    : "cannot read layer tar after member '" + printable(member) + "': " + f.getMessage(), f);
        } catch (IOException x) {
            throw new LayerException("cannot unpack layer member '" + printable(member) + "': " + reason(x), x);
        } finally {
            if (source instanceof ReadAheadInputStream r) r.close();
        }
        layer.summarize();
        return layer.stats();
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
        if (!Files.isDirectory(root))
            throw new LayerException("image root " + root + " is not a directory");
        rootChecked = true;
    }

    private void unpack(TarArchiveEntry e, TarReader reader, Layer layer) throws IOException, MemberRejected {
        String name = e.getName();
        if (name.isEmpty()) throw new MemberRejected("it has an empty name");
        String rel = MemberPath.normalize(name);
        if (rel == null) throw new MemberRejected("its name climbs out of the image root");
        String base = MemberPath.baseName(rel);
        if (base.startsWith(".wh.")) {
            whiteout(rel, base, layer);
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
                layer.skipDevice(rel);
                return;
            }
            case UNSUPPORTED -> throw new MemberRejected("its tar type '" + (char) e.getLinkFlag() + "' is not supported");
            default -> {}
        }
        tree.ensureParent(rel);
        String aufs = MemberPath.aufsMetadataDir(rel);
        if (aufs != null) layer.aufsDirs.add(aufs);
        Path p = tree.resolve(rel);
        switch (type) {
            case DIRECTORY -> {
                tree.makeDirectory(rel, (e.getMode() & 0777) | 0700);
                tree.deferDirectoryTime(rel, e.getLastModifiedTime());
                layer.directories++;
                layer.xattrs(Xattrs.apply(p, e.getExtraPaxHeaders()));
            }
            case FILE -> {
                if ((e.getMode() & 06000) != 0) layer.setidDropped++;
                try (FileChannel ch = tree.newFile(rel, (e.getMode() & 0777) | 0600)) {
                    layer.bytes += e.isSparse() ? copySparse(e, reader, ch) : copy(reader, ch);
                }
                RootTree.setTime(p, e.getLastModifiedTime());
                layer.files++;
                layer.xattrs(Xattrs.apply(p, e.getExtraPaxHeaders()));
            }
            case SYMLINK -> {
                if (e.getLinkName().isEmpty()) throw new MemberRejected("its symbolic link target is empty");
                tree.makeSymlink(rel, e.getLinkName());
                RootTree.setTime(p, e.getLastModifiedTime());
                layer.symlinks++;
            }
            case HARDLINK -> {
                tree.makeHardlink(rel, hardlinkTarget(rel, e.getLinkName(), layer));
                layer.hardlinks++;
            }
            default -> throw new AssertionError(type);
        }
        layer.whiteouts.touch(rel);
    }

    /**
     * The file a hard link member links to: in the tree as it stands (this layer or a lower one),
     * or hidden by a whiteout earlier in this layer. Never through a symlink, never a directory.
     */
    private Path hardlinkTarget(String rel, String linkName, Layer layer) throws IOException, MemberRejected {
        String target = MemberPath.normalize(linkName);
        String quoted = "'" + printable(linkName) + "'";
        if (target == null) throw new MemberRejected("its hard link target " + quoted + " climbs out of the image root");
        if (target.isEmpty() || RootTree.isReserved(target))
            throw new MemberRejected("its hard link target " + quoted + " is not a file of the image");
        if (MemberPath.isWithin(target, rel)) throw new MemberRejected("it is a hard link to itself or below itself");
        return switch (tree.kindOf(target)) {
            case OTHER, SYMLINK -> tree.resolve(target);
            case DIRECTORY -> throw new MemberRejected("its hard link target " + quoted + " is a directory");
            case BEHIND_SYMLINK -> throw new MemberRejected("its hard link target " + quoted + " lies behind a symbolic link");
            case MISSING -> {
                Path hidden = layer.whiteouts.hiddenFile(target);
                if (hidden == null) throw new MemberRejected("its hard link target " + quoted + " does not exist");
                yield hidden;
            }
        };
    }

    private void whiteout(String rel, String base, Layer layer) throws IOException, MemberRejected {
        String dir = MemberPath.parent(rel);
        if (base.equals(".wh..wh..opq")) {
            layer.whiteouts.makeOpaque(dir);
        } else if (base.startsWith(".wh..wh.")) {
            return; // AUFS bookkeeping (.wh..wh.aufs, .wh..wh.plnk): not part of the image
        } else {
            String name = base.substring(".wh.".length());
            if (name.isEmpty() || name.equals(".") || name.equals(".."))
                throw new MemberRejected("it is a whiteout without a valid name");
            String target = MemberPath.join(dir, name);
            if (RootTree.isReserved(target)) throw new MemberRejected("its name is reserved for the unpacker");
            layer.whiteouts.hide(target);
        }
        layer.whiteoutsApplied++;
    }

    /** Copies the current member's data into a new file; returns its size. */
    private long copy(TarReader reader, FileChannel ch) throws IOException {
        long total = 0;
        int n;
        while ((n = reader.read(buffer, 0, buffer.length)) > 0) {
            writeFully(ch, n, -1);
            total += n;
        }
        return total;
    }

    /** Writes only a sparse member's data chunks, leaving its holes as holes; returns its size. */
    private long copySparse(TarArchiveEntry e, TarReader reader, FileChannel ch) throws IOException {
        long position = 0;
        for (TarArchiveStructSparse chunk : e.getOrderedSparseHeaders()) {
            for (long gap = chunk.getOffset() - position; gap > 0; ) {
                long skipped = reader.skip(gap);
                if (skipped <= 0) throw new TarReader.ReadFailure("sparse member '" + printable(e.getName()) + "' ends early", null);
                gap -= skipped;
            }
            position = chunk.getOffset();
            for (long left = chunk.getNumbytes(); left > 0; ) {
                int n = reader.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n <= 0) throw new TarReader.ReadFailure("sparse member '" + printable(e.getName()) + "' ends early", null);
                writeFully(ch, n, position);
                position += n;
                left -= n;
            }
        }
        long size = e.getRealSize();
        if (ch.size() < size) ch.write(ByteBuffer.wrap(new byte[1]), size - 1); // a trailing hole: extend the file
        return size;
    }

    /** Writes buffer[0, n) at a position, or at the channel's own position when position is -1. */
    private void writeFully(FileChannel ch, int n, long position) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(buffer, 0, n);
        while (bb.hasRemaining()) {
            if (position < 0) ch.write(bb);
            else position += ch.write(bb, position);
        }
    }

    /** Reads what is left of the stream after the tar's end; returns how many bytes that was. */
    private long drain(InputStream source) throws TarReader.ReadFailure {
        long total = 0;
        try {
            int n;
            while ((n = source.read(buffer, 0, buffer.length)) >= 0) total += n;
        } catch (IOException x) {
            throw new TarReader.ReadFailure(x.getMessage(), x);
        }
        return total;
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

    /** A member name made safe for a one-line message (a hostile tar may put control characters in names). */
    static String printable(String s) {
        if (s == null) return "";
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (b == null) b = new StringBuilder(s.substring(0, i));
                b.append('?');
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    /** The kinds of tar member the unpacker tells apart. */
    private enum MemberType {
        FILE, DIRECTORY, SYMLINK, HARDLINK, DEVICE, FIFO, UNSUPPORTED;

        /** By the type flag; a trailing slash makes a directory only of a regular-file flag (old tars). */
        static MemberType of(TarArchiveEntry e) {
            return switch (e.getLinkFlag()) {
                case '5', 'D' -> DIRECTORY; // 'D': GNU dump directory
                case '2' -> SYMLINK;
                case '1' -> HARDLINK;
                case '3', '4' -> DEVICE;
                case '6' -> FIFO;
                case '0', 0, '7' -> e.getName().endsWith("/") ? DIRECTORY : FILE; // '7': contiguous file
                default -> e.isSparse() ? FILE : UNSUPPORTED; // GNU 'S' sparse files are regular files
            };
        }
    }

    /** One layer's state and counts. */
    private final class Layer {
        final Whiteouts whiteouts = new Whiteouts(tree);
        final Set<String> aufsDirs = new LinkedHashSet<>();
        long tarBytes, members, files, directories, symlinks, hardlinks, whiteoutsApplied, bytes;
        long devicesSkipped, rejected, setidDropped, xattrsApplied, xattrsSkipped;
        String firstDevice;

        void reject(String member, String reason) {
            if (++rejected <= MAX_MEMBER_WARNINGS)
                warnings.accept("layer member '" + printable(member) + "' skipped: " + reason);
        }

        void skipDevice(String rel) {
            if (devicesSkipped++ == 0) firstDevice = rel;
        }

        void xattrs(Xattrs.Outcome o) {
            xattrsApplied += o.applied();
            xattrsSkipped += o.skipped();
        }

        void summarize() {
            if (rejected > MAX_MEMBER_WARNINGS)
                warnings.accept((rejected - MAX_MEMBER_WARNINGS) + " more layer members skipped (warnings not shown)");
            if (devicesSkipped > 0)
                warnings.accept("skipped " + devicesSkipped + " device file(s) and FIFO(s), e.g. '" + printable(firstDevice)
                        + "': an unprivileged user cannot create them");
        }

        LayerStats stats() {
            return new LayerStats(tarBytes, members, files, directories, symlinks, hardlinks, whiteoutsApplied, bytes,
                    devicesSkipped, rejected, setidDropped, xattrsApplied, xattrsSkipped);
        }
    }
}
