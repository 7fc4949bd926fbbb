package chj.layer;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
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

    private static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000;
    private static final String ATTRIBUTES = "unix:mode,ino,dev,nlink,size,lastModifiedTime";
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    /** What a tar write produced: its DiffID (SHA-256 of the tar bytes), size and counts. */
    public record Written(chj.oci.Digest diffId, long size, long entries, long hardlinks, long whiteouts, long skipped) {}

    private final Consumer<String> warnings;
    private final Set<String> exclude = new HashSet<>();
    private Long clamp;
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
        Node top = Node.of(changes);
        DigestingOutputStream digest = new DigestingOutputStream(new Unclosable(out));
        Walk walk = new Walk(root);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new BufferedOutputStream(digest, 1 << 16))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            walk.tar = tar;
            walk.directory("", root, top, top.whole);
            tar.finish();
        } catch (WalkFailure f) {
            throw new LayerException(f.getMessage(), f.getCause());
        } catch (IOException e) {
            throw new LayerException("cannot write tar of " + root + " at '" + LayerUnpacker.printable(walk.current)
                    + "': " + reason(e), e);
        }
        if (walk.xattrsSkipped > 0)
            warnings.accept("skipped " + walk.xattrsSkipped + " extended attribute(s) whose values are not text");
        if (walk.skipped > 0)
            warnings.accept("skipped " + walk.skipped + " device file(s), FIFO(s) or socket(s), e.g. '"
                    + LayerUnpacker.printable(walk.firstSkipped) + "'");
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

    /** UTF-8 byte order, which is what tar readers and GNU tar's --sort=name see. */
    private static int compareNames(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** The changes as a tree of names: which subtrees are written whole, where whiteouts go. */
    private static final class Node {
        final TreeMap<String, Node> children = new TreeMap<>(LayerWriter::compareNames);
        final TreeSet<String> whiteouts = new TreeSet<>(LayerWriter::compareNames);
        boolean whole, opaque;

        static Node of(LayerChanges changes) {
            Node top = new Node();
            for (String p : changes.added()) top.at(p).whole = true;
            for (String p : changes.deleted()) top.at(MemberPath.parent(p)).whiteouts.add(MemberPath.baseName(p));
            for (String p : changes.opaque()) top.at(p).opaque = true;
            for (String p : changes.directories()) top.at(p);
            return top;
        }

        Node at(String rel) {
            Node n = this;
            if (rel.isEmpty()) return n;
            for (String part : rel.split("/")) n = n.children.computeIfAbsent(part, k -> new Node());
            return n;
        }
    }

    /** A failure with its own message, carried out of the walk. */
    private static final class WalkFailure extends IOException {
        WalkFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One tar write's state. */
    private final class Walk {
        final Path root;
        final Map<List<Object>, String> firstPathOfInode = new HashMap<>();
        final byte[] buffer = new byte[256 * 1024];
        TarArchiveOutputStream tar;
        String current = "", firstSkipped;
        long entries, hardlinks, whiteouts, skipped, xattrsSkipped;

        Walk(Path root) {
            this.root = root;
        }

        /** Writes the content of directory {@code rel}: whiteouts first, then its entries in name order. */
        void directory(String rel, Path dir, Node node, boolean whole) throws IOException {
            if (node != null) {
                if (node.opaque) whiteout(MemberPath.join(rel, ".wh..wh..opq"));
                for (String w : node.whiteouts) whiteout(MemberPath.join(rel, ".wh." + w));
            }
            Collection<String> names = whole ? list(dir) : node.children.keySet();
            for (String name : names) {
                String childRel = MemberPath.join(rel, name);
                if (exclude.contains(childRel)) continue;
                Node child = node == null ? null : node.children.get(name);
                boolean childWhole = whole || (child != null && child.whole);
                Path p = dir.resolve(name);
                current = childRel;
                Map<String, Object> a;
                try {
                    a = Files.readAttributes(p, ATTRIBUTES, NOFOLLOW);
                } catch (NoSuchFileException e) {
                    if (whole && (child == null || !child.whole)) continue; // deleted while we listed
                    throw new WalkFailure("cannot write layer: '" + LayerUnpacker.printable(childRel) + "' is not in " + root, e);
                }
                int type = (int) a.get("mode") & S_IFMT;
                if (!childWhole && type != S_IFDIR)
                    throw new WalkFailure("cannot write layer: '" + LayerUnpacker.printable(childRel)
                            + "' holds changes but is not a directory in " + root, null);
                entry(childRel, p, a);
                if (type == S_IFDIR) directory(childRel, p, child, childWhole);
            }
        }

        /** The names in a directory, in the tar's order. */
        private List<String> list(Path dir) throws IOException {
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                for (Path p : s) names.add(p.getFileName().toString());
            }
            names.sort(LayerWriter::compareNames);
            return names;
        }

        private void entry(String rel, Path p, Map<String, Object> a) throws IOException {
            int mode = (int) a.get("mode");
            long mtime = ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.SECONDS);
            if (clamp != null && mtime > clamp) mtime = clamp;
            TarArchiveEntry e;
            boolean content = false;
            switch (mode & S_IFMT) {
                case S_IFDIR -> e = new TarArchiveEntry(rel + "/", TarConstants.LF_DIR);
                case S_IFLNK -> {
                    e = new TarArchiveEntry(rel, TarConstants.LF_SYMLINK);
                    e.setLinkName(Files.readSymbolicLink(p).toString());
                }
                case S_IFREG -> {
                    String first = null;
                    if ((int) a.get("nlink") > 1) {
                        List<Object> inode = List.of(a.get("dev"), a.get("ino"));
                        first = firstPathOfInode.putIfAbsent(inode, rel);
                    }
                    if (first != null) {
                        e = new TarArchiveEntry(rel, TarConstants.LF_LINK);
                        e.setLinkName(first);
                        hardlinks++;
                    } else {
                        e = new TarArchiveEntry(rel, TarConstants.LF_NORMAL);
                        e.setSize((long) a.get("size"));
                        content = true;
                    }
                }
                default -> {
                    if (skipped++ == 0) firstSkipped = rel;
                    return;
                }
            }
            e.setMode(mode & 0777);
            e.setIds(0, 0);
            e.setUserName("");
            e.setGroupName("");
            e.setModTime(FileTime.from(mtime, TimeUnit.SECONDS));
            if (xattrs && (mode & S_IFMT) != S_IFLNK) userXattrs(p).forEach(e::addPaxHeader);
            tar.putArchiveEntry(e);
            if (content) copy(p, e.getSize());
            tar.closeArchiveEntry();
            entries++;
        }

        /** Copies exactly {@code size} bytes; a file that grew or shrank meanwhile is an error, not a corrupt layer. */
        private void copy(Path p, long size) throws IOException {
            try (InputStream in = Files.newInputStream(p, NOFOLLOW)) {
                long left = size;
                while (left > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (n < 0) break;
                    tar.write(buffer, 0, n);
                    left -= n;
                }
                if (left > 0 || in.read() >= 0)
                    throw new WalkFailure("cannot write layer: '" + LayerUnpacker.printable(current)
                            + "' changed size while it was read", null);
            }
        }

        /** {@code user.*} attributes as PAX records; values that are not UTF-8 text cannot be carried and are counted. */
        private Map<String, String> userXattrs(Path p) throws IOException {
            var view = Files.getFileAttributeView(p, java.nio.file.attribute.UserDefinedFileAttributeView.class, NOFOLLOW);
            if (view == null) return Map.of();
            Map<String, String> out = new TreeMap<>();
            List<String> names;
            try {
                names = view.list();
            } catch (FileSystemException unsupported) {
                return Map.of();
            }
            for (String name : names) {
                java.nio.ByteBuffer value = java.nio.ByteBuffer.allocate(view.size(name));
                view.read(name, value);
                value.flip();
                try {
                    out.put("SCHILY.xattr.user." + name, StandardCharsets.UTF_8.newDecoder().decode(value).toString());
                } catch (java.nio.charset.CharacterCodingException binary) {
                    xattrsSkipped++;
                }
            }
            return out;
        }

        private void whiteout(String rel) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(rel, TarConstants.LF_NORMAL);
            e.setMode(0);
            e.setIds(0, 0);
            e.setUserName("");
            e.setGroupName("");
            e.setModTime(FileTime.from(0, TimeUnit.SECONDS));
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
            whiteouts++;
            entries++;
        }
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
