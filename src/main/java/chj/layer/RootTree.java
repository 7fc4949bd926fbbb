package chj.layer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The image tree being unpacked, addressed by paths relative to its root. It never follows a
 * symbolic link: every parent it writes under is checked to be a real directory (and remembered,
 * so each directory is checked once), and an existing entry is removed before a new one takes its
 * name, so nothing is written through a link. Removed entries go to a graveyard directory inside
 * the root (one rename, whatever their size) that {@link #purgeGraveyard} empties.
 *
 * <p>Only this unpacker changes the tree while it works; the caches rely on that.
 */
final class RootTree {

    /** What a relative path names, seen without following links. */
    enum Kind { MISSING, DIRECTORY, SYMLINK, OTHER, BEHIND_SYMLINK }

    /**
     * Removed entries wait here. Image files never start with ".wh." (whiteout prefix), and
     * members under this name are refused, so it cannot clash with image content.
     */
    static final String GRAVEYARD = ".wh..wh.chj-graveyard";

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final Set<OpenOption> CREATE_NEW =
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    /** Moby's mode for directories a layer implies without an entry. */
    static final int IMPLIED_DIR_MODE = 0755;

    private final Path root;
    private final int umask;
    /** Relative paths known to be real directories (not links); sorted so a subtree can be forgotten at once. */
    private final TreeSet<String> realDirs = new TreeSet<>();
    /** Directory mtimes to set once everything below them is written. */
    private final TreeMap<String, FileTime> dirTimes = new TreeMap<>();
    /** The creation attribute of each permission mode, made once. */
    private final List<FileAttribute<Set<PosixFilePermission>>> modeAttributes = new ArrayList<>(Collections.nCopies(01000, null));
    private Path graveyard;
    private long graves;

    RootTree(Path root) {
        this.root = root;
        this.umask = Umask.current();
    }

    Path resolve(String rel) {
        return rel.isEmpty() ? root : root.resolve(rel);
    }

    /** Whether a path is the unpacker's own, which no member may touch. */
    static boolean isReserved(String rel) {
        return rel.equals(GRAVEYARD) || rel.startsWith(GRAVEYARD + "/");
    }

    /** What {@code rel} is; BEHIND_SYMLINK when one of its parents is a symbolic link. */
    Kind kindOf(String rel) throws IOException {
        if (rel.isEmpty() || realDirs.contains(rel)) return Kind.DIRECTORY;
        Kind parent = kindOf(MemberPath.parent(rel));
        if (parent == Kind.SYMLINK || parent == Kind.BEHIND_SYMLINK) return Kind.BEHIND_SYMLINK;
        if (parent != Kind.DIRECTORY) return Kind.MISSING;
        Kind kind = lstatKind(resolve(rel));
        if (kind == Kind.DIRECTORY) realDirs.add(rel);
        return kind;
    }

    /** Like {@link #kindOf} for a path below some directory outside the caches (the graveyard). */
    static Kind kindBelow(Path base, String rel) throws IOException {
        Path p = base;
        String[] parts = rel.split("/");
        for (int i = 0; i < parts.length; i++) {
            p = p.resolve(parts[i]);
            Kind kind = lstatKind(p);
            if (i == parts.length - 1) return kind;
            if (kind == Kind.SYMLINK) return Kind.BEHIND_SYMLINK;
            if (kind != Kind.DIRECTORY) return Kind.MISSING;
        }
        return Kind.DIRECTORY;
    }

    static Kind lstatKind(Path p) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
            return a.isDirectory() ? Kind.DIRECTORY : a.isSymbolicLink() ? Kind.SYMLINK : Kind.OTHER;
        } catch (NoSuchFileException e) {
            return Kind.MISSING;
        }
    }

    /**
     * Makes sure every parent of {@code rel} is a real directory, creating missing ones.
     * Refuses (MemberRejected) when a parent is a symbolic link or not a directory.
     */
    void ensureParent(String rel) throws IOException, MemberRejected {
        String parent = MemberPath.parent(rel);
        if (!parent.isEmpty() && !realDirs.contains(parent)) ensureDirectory(parent);
    }

    private void ensureDirectory(String dir) throws IOException, MemberRejected {
        ensureParent(dir);
        Path p = resolve(dir);
        try {
            createDirectory(p, IMPLIED_DIR_MODE);
        } catch (FileAlreadyExistsException e) {
            switch (lstatKind(p)) {
                case DIRECTORY -> {}
                case SYMLINK -> throw new MemberRejected("its parent '" + dir + "' is a symbolic link");
                default -> throw new MemberRejected("its parent '" + dir + "' is not a directory");
            }
        }
        realDirs.add(dir);
    }

    /** Creates or replaces a regular file with the given permission bits; the caller writes and closes it. */
    FileChannel newFile(String rel, int perms) throws IOException {
        Path p = resolve(rel);
        FileChannel ch;
        try {
            ch = FileChannel.open(p, CREATE_NEW, modeAttribute(perms));
        } catch (FileAlreadyExistsException e) {
            removeExisting(rel);
            ch = FileChannel.open(p, CREATE_NEW, modeAttribute(perms));
        }
        try {
            if ((perms & umask) != 0) chmod(p, perms);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return ch;
    }

    /** Creates a directory, or merges into an existing one (setting its permissions); replaces anything else. */
    void makeDirectory(String rel, int perms) throws IOException {
        Path p = resolve(rel);
        try {
            createDirectory(p, perms);
        } catch (FileAlreadyExistsException e) {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, NOFOLLOW);
            if (a.isDirectory()) {
                if (toMode(a.permissions()) != perms) chmod(p, perms);
            } else {
                Files.delete(p);
                createDirectory(p, perms);
            }
        }
        realDirs.add(rel);
    }

    /** Creates or replaces a symbolic link; the target is stored as given and never followed. */
    void makeSymlink(String rel, String target) throws IOException {
        Path p = resolve(rel);
        Path t = Path.of(target);
        try {
            Files.createSymbolicLink(p, t);
        } catch (FileAlreadyExistsException e) {
            removeExisting(rel);
            Files.createSymbolicLink(p, t);
        }
    }

    /** Creates or replaces a hard link to an existing non-directory (a link to a symlink links the symlink). */
    void makeHardlink(String rel, Path existing) throws IOException {
        Path p = resolve(rel);
        try {
            Files.createLink(p, existing);
        } catch (FileAlreadyExistsException e) {
            removeExisting(rel);
            Files.createLink(p, existing);
        }
    }

    /** Sets modification (and access) time of an entry itself, never of a link's target. */
    static void setTime(Path p, FileTime time) throws IOException {
        Files.getFileAttributeView(p, BasicFileAttributeView.class, NOFOLLOW).setTimes(time, time, null);
    }

    /** Remembers a directory's mtime, set by {@link #applyDirectoryTimes} after its contents are written. */
    void deferDirectoryTime(String rel, FileTime time) {
        dirTimes.put(rel, time);
    }

    void applyDirectoryTimes() throws IOException {
        for (Map.Entry<String, FileTime> e : dirTimes.entrySet()) {
            try {
                setTime(resolve(e.getKey()), e.getValue());
            } catch (NoSuchFileException gone) {
                // removed by a later layer after all: nothing to date
            }
        }
        dirTimes.clear();
    }

    /** Removes whatever is at {@code rel}: a non-directory by unlinking it, a directory into the graveyard. */
    private void removeExisting(String rel) throws IOException {
        Path p = resolve(rel);
        if (lstatKind(p) == Kind.DIRECTORY) bury(rel);
        else Files.deleteIfExists(p);
    }

    /** Moves {@code rel} (any kind, a whole subtree) into the graveyard and returns where it went. */
    Path bury(String rel) throws IOException {
        if (graveyard == null) {
            graveyard = resolve(GRAVEYARD);
            try {
                createDirectory(graveyard, 0700);
            } catch (FileAlreadyExistsException e) {
                // left by an unpack that was killed: ours by its name, which no member may use
                if (lstatKind(graveyard) == Kind.DIRECTORY) deleteTree(graveyard);
                else Files.delete(graveyard);
                createDirectory(graveyard, 0700);
            }
        }
        Path grave = graveyard.resolve(Long.toString(graves++));
        Files.move(resolve(rel), grave, StandardCopyOption.ATOMIC_MOVE);
        forget(rel);
        return grave;
    }

    /** Drops cached facts about a path and everything below it. */
    private void forget(String rel) {
        realDirs.remove(rel);
        realDirs.subSet(rel + "/", rel + "0").clear(); // '0' follows '/': the range is exactly rel's subtree
        dirTimes.remove(rel);
        dirTimes.subMap(rel + "/", rel + "0").clear();
    }

    /** Deletes everything buried so far. */
    void purgeGraveyard() throws IOException {
        if (graveyard == null) return;
        deleteTree(graveyard);
        graveyard = null;
        graves = 0;
    }

    /** Deletes a tree without following links, widening directories it may not read or change. */
    static void deleteTree(Path dir) throws IOException {
        try {
            deleteContents(dir);
        } catch (AccessDeniedException e) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            deleteContents(dir);
        }
        Files.delete(dir);
    }

    private static void deleteContents(Path dir) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(children::add);
        }
        for (Path child : children) {
            if (lstatKind(child) == Kind.DIRECTORY) deleteTree(child);
            else Files.delete(child);
        }
    }

    private void createDirectory(Path p, int perms) throws IOException {
        Files.createDirectory(p, modeAttribute(perms));
        if ((perms & umask) != 0) chmod(p, perms);
    }

    /** Sets exact permission bits; only ever on an entry just created or checked to be no symlink. */
    private void chmod(Path p, int perms) throws IOException {
        Files.setPosixFilePermissions(p, modeAttribute(perms).value());
    }

    private FileAttribute<Set<PosixFilePermission>> modeAttribute(int perms) {
        FileAttribute<Set<PosixFilePermission>> a = modeAttributes.get(perms);
        if (a == null) {
            a = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(rwx(perms)));
            modeAttributes.set(perms, a);
        }
        return a;
    }

    /** "rwxr-xr-x" for 0755. */
    static String rwx(int perms) {
        char[] c = new char[9];
        String letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) c[i] = (perms & (0400 >> i)) != 0 ? letters.charAt(i) : '-';
        return new String(c);
    }

    static int toMode(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission p : perms) mode |= 0400 >> p.ordinal();
        return mode;
    }
}
