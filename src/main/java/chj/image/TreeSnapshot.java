package chj.image;

import chj.layer.LayerChanges;
import chj.oci.Digest;
import chj.store.Metadata;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * The state of an image tree as its layers left it, saved in {@code ch/tree.snapshot} when a pull
 * publishes the image, so that push can tell whether the tree is still what the pulled layers make
 * (then it pushes those blobs, same digests) and, if not, what changed since (one more layer).
 *
 * <p>Per path: type, permission bits, size, mtime, ctime and inode number (and a symlink's target).
 * The ctime is what makes this trustworthy: every write, chmod, rename or new hard link sets it to
 * the present, and nobody can set it back. The snapshot also names the manifest it belongs to and
 * where the image came from. {@code ch/} and the root directory itself are not part of it.
 *
 * <p>Format: {@code chj-tree-snapshot 1\n}, then a deflated stream of the manifest digest, the
 * source reference and the entries in walk order, ending with a path length of -1.
 */
public final class TreeSnapshot {

    public static final String FILE = "tree.snapshot";
    private static final byte[] MAGIC = "chj-tree-snapshot 1\n".getBytes(StandardCharsets.US_ASCII);
    private static final String ATTRIBUTES = "unix:mode,ino,size,lastModifiedTime,ctime";
    private static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFLNK = 0120000;
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    /** One path's state. {@code type} is the {@code S_IFMT} bits of the mode. */
    record Entry(int type, int mode, long size, long mtimeNanos, long ctimeNanos, long inode, String linkTarget) {

        boolean isDirectory() {
            return type == S_IFDIR;
        }

        /** Same object, unchanged: for a directory only its own mode and mtime count (its content is compared path by path). */
        boolean sameAs(Entry o) {
            if (type != o.type || mode != o.mode || mtimeNanos != o.mtimeNanos) return false;
            if (isDirectory()) return true;
            return size == o.size && ctimeNanos == o.ctimeNanos && inode == o.inode
                    && java.util.Objects.equals(linkTarget, o.linkTarget);
        }
    }

    /** What changed in a tree since its snapshot, as one layer's changes, with counts for people. */
    public record Changes(LayerChanges layer, int added, int modified, int deleted) {
        public boolean none() {
            return layer.isEmpty();
        }

        @Override
        public String toString() {
            return added + " added, " + modified + " modified, " + deleted + " deleted";
        }
    }

    private final Digest manifest;
    private final String source;
    private final Map<String, Entry> entries;

    private TreeSnapshot(Digest manifest, String source, Map<String, Entry> entries) {
        this.manifest = manifest;
        this.source = source;
        this.entries = entries;
    }

    /** The digest of the manifest whose layers made the tree. */
    public Digest manifest() {
        return manifest;
    }

    /** The reference the image was pulled from, as written; never null, may be empty. */
    public String source() {
        return source;
    }

    int size() {
        return entries.size();
    }

    public static Path file(Path imageRoot) {
        return imageRoot.resolve(Metadata.DIR).resolve(FILE);
    }

    /**
     * Walks the tree at {@code root} and saves its snapshot, naming the manifest that made it and
     * the reference it came from. Written last (after everything else in the tree), by rename.
     */
    public static void record(Path root, Digest manifest, String source) throws IOException {
        Path target = file(root);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + FILE + ".tmp." + ProcessHandle.current().pid());
        try (OutputStream raw = Files.newOutputStream(tmp)) {
            raw.write(MAGIC);
            Deflater deflater = new Deflater(Deflater.BEST_SPEED);
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    new DeflaterOutputStream(raw, deflater), 1 << 16))) {
                out.writeUTF(manifest.toString());
                out.writeUTF(source == null ? "" : source);
                new Walker(root) {
                    @Override
                    boolean visit(String rel, Entry e) throws IOException {
                        writeString(out, rel);
                        out.writeInt(e.type);
                        out.writeInt(e.mode);
                        out.writeLong(e.size);
                        out.writeLong(e.mtimeNanos);
                        out.writeLong(e.ctimeNanos);
                        out.writeLong(e.inode);
                        if (e.type == S_IFLNK) writeString(out, e.linkTarget);
                        return true;
                    }
                }.walk();
                out.writeInt(-1);
            } finally {
                deflater.end();
            }
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The snapshot saved in an image, or null when it has none.
     *
     * @throws IOException also when the file is not a snapshot this version can read
     */
    public static TreeSnapshot read(Path root) throws IOException {
        Path f = file(root);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(f, NOFOLLOW))) {
            byte[] magic = raw.readNBytes(MAGIC.length);
            if (!java.util.Arrays.equals(magic, MAGIC)) throw new IOException(f + ": not a tree snapshot of this version");
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(new InflaterInputStream(raw), 1 << 16))) {
                Digest manifest;
                try {
                    manifest = Digest.parse(in.readUTF());
                } catch (IllegalArgumentException e) {
                    throw new IOException(f + ": bad manifest digest", e);
                }
                String source = in.readUTF();
                Map<String, Entry> entries = new LinkedHashMap<>();
                for (String rel = readString(in); rel != null; rel = readString(in)) {
                    int type = in.readInt();
                    Entry e = new Entry(type, in.readInt(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                            type == S_IFLNK ? readString(in) : null);
                    entries.put(rel, e);
                }
                return new TreeSnapshot(manifest, source, entries);
            } catch (EOFException e) {
                throw new IOException(f + ": truncated", e);
            }
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * What differs between the tree at {@code root} and this snapshot, as the changes of one layer
     * on top of the snapshot's: new paths and changed files are added (a new directory with all its
     * content), paths gone get whiteouts (only the topmost of a deleted subtree), a path whose type
     * changed gets both (so that every unpacker replaces it), a directory whose own mode or mtime
     * changed is written without its content.
     */
    public Changes compare(Path root) throws IOException {
        LayerChanges.Builder layer = LayerChanges.builder();
        Set<String> present = new HashSet<>();
        Set<String> descended = new HashSet<>();
        descended.add("");
        int[] counts = new int[3];
        new Walker(root) {
            @Override
            boolean visit(String rel, Entry now) {
                Entry was = entries.get(rel);
                if (was == null) {
                    layer.add(rel);
                    counts[0]++;
                    return false;   // added with everything below it
                }
                present.add(rel);
                if (was.type != now.type) {
                    layer.delete(rel).add(rel);
                    counts[1]++;
                    return false;
                }
                if (now.isDirectory()) {
                    if (!was.sameAs(now)) layer.directory(rel);
                    descended.add(rel);
                    return true;
                }
                if (!was.sameAs(now)) {
                    layer.add(rel);
                    counts[1]++;
                }
                return false;
            }
        }.walk();
        for (String rel : entries.keySet()) {
            if (present.contains(rel) || !descended.contains(parent(rel))) continue;
            layer.delete(rel);
            counts[2]++;
        }
        return new Changes(layer.build(), counts[0], counts[1], counts[2]);
    }

    static String parent(String rel) {
        int slash = rel.lastIndexOf('/');
        return slash < 0 ? "" : rel.substring(0, slash);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) return null;
        if (n > 1 << 20) throw new IOException("tree snapshot: implausible name length " + n);
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    /** A depth-first walk in name order, without following symlinks, leaving out {@code ch/}. */
    private abstract static class Walker {
        private final Path root;

        Walker(Path root) {
            this.root = root;
        }

        /** Called for each path below the root; for a directory, true means walk into it. */
        abstract boolean visit(String rel, Entry e) throws IOException;

        void walk() throws IOException {
            walk(root, "");
        }

        private void walk(Path dir, String rel) throws IOException {
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                for (Path p : s) names.add(p.getFileName().toString());
            }
            names.sort(null);
            for (String name : names) {
                if (rel.isEmpty() && name.equals(Metadata.DIR)) continue;
                String childRel = rel.isEmpty() ? name : rel + "/" + name;
                Path p = dir.resolve(name);
                Map<String, Object> a;
                try {
                    a = Files.readAttributes(p, ATTRIBUTES, NOFOLLOW);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                int mode = (int) a.get("mode");
                int type = mode & S_IFMT;
                Entry e = new Entry(type, mode & 07777, (long) a.get("size"), nanos(a.get("lastModifiedTime")),
                        nanos(a.get("ctime")), (long) a.get("ino"),
                        type == S_IFLNK ? Files.readSymbolicLink(p).toString() : null);
                if (visit(childRel, e) && type == S_IFDIR) walk(p, childRel);
            }
        }

        private static long nanos(Object time) {
            return ((FileTime) time).to(TimeUnit.NANOSECONDS);
        }
    }
}
