package chj.layer;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * One tar write of {@link LayerWriter}: walks the tree depth first in name order, whiteouts before
 * the entries of their directory, and writes each entry with the flattened ownership, mode and
 * time rules. Keeps the inode map that turns second paths of a file into hard links.
 */
final class TarWalk {

    private static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000;
    private static final String ATTRIBUTES = "unix:mode,ino,dev,nlink,size,lastModifiedTime";
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    /** A failure with its own message, carried out of the walk. */
    static final class Failure extends IOException {
        Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }


    private final Path root;
    private final TarArchiveOutputStream tar;
    private final Set<String> exclude;
    private final Long clamp;
    private final boolean xattrs;
    private final Map<List<Object>, String> firstPathOfInode = new HashMap<>();
    private final byte[] buffer = new byte[256 * 1024];
    private String current = "";
    String firstSkipped;
    long entries, hardlinks, whiteouts, skipped, xattrsSkipped;

    /** @param clamp the latest mtime written, in seconds since the epoch; null for none */
    TarWalk(Path root, TarArchiveOutputStream tar, Set<String> exclude, Long clamp, boolean xattrs) {
        this.root = root;
        this.tar = tar;
        this.exclude = exclude;
        this.clamp = clamp;
        this.xattrs = xattrs;
    }

    /** Writes the entries of {@code changes}; the caller finishes the tar. */
    void write(LayerChanges changes) throws IOException {
        Node top = Node.of(changes);
        directory("", root, top, top.whole);
    }

    /** The path being written, for messages. */
    String current() {
        return current;
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
                throw new Failure("cannot write layer: '" + LayerReport.printable(childRel) + "' is not in " + root, e);
            }
            int type = (int) a.get("mode") & S_IFMT;
            if (!childWhole && type != S_IFDIR)
                throw new Failure("cannot write layer: '" + LayerReport.printable(childRel)
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
        names.sort(TarWalk::compareNames);
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
                throw new Failure("cannot write layer: '" + LayerReport.printable(current)
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

    /** UTF-8 byte order, which is what tar readers and GNU tar's --sort=name see. */
    static int compareNames(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** The changes as a tree of names: which subtrees are written whole, where whiteouts go. */
    private static final class Node {
        final TreeMap<String, Node> children = new TreeMap<>(TarWalk::compareNames);
        final TreeSet<String> whiteouts = new TreeSet<>(TarWalk::compareNames);
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
}
