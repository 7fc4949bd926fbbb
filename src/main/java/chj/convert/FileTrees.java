package chj.convert;

import chj.Log;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Copying and removing image trees: never following symlinks, keeping hard links, managing odd permissions. */
final class FileTrees {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final Set<PosixFilePermission> USER_RWX = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private FileTrees() {}

    /**
     * Copies the tree below {@code from} into the existing directory {@code to}, leaving out
     * {@code exclude} (relative paths, each with everything below it). Modes are kept but widened
     * so that the user can manage the copy (files u+rw, directories u+rwx), setuid/setgid dropped;
     * symlinks are copied as links, hard links stay links, mtimes are kept, devices, FIFOs and
     * sockets are skipped with one warning.
     */
    static void copy(Path from, Path to, Set<String> exclude, Log log) throws IOException {
        Map<Object, Path> copiedInodes = new HashMap<>();
        int[] skipped = {0};
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            private boolean excluded(Path p) {
                return exclude.contains(from.relativize(p).toString());
            }

            private Path target(Path p) {
                return to.resolve(from.relativize(p).toString());
            }

            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.equals(from)) return FileVisitResult.CONTINUE;
                if (excluded(dir)) return FileVisitResult.SKIP_SUBTREE;
                Files.createDirectory(target(dir));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (excluded(file)) return FileVisitResult.CONTINUE;
                Path t = target(file);
                if (attrs.isSymbolicLink()) {
                    Files.createSymbolicLink(t, Files.readSymbolicLink(file));
                    setTimes(t, attrs.lastModifiedTime());
                } else if (attrs.isRegularFile()) {
                    Map<String, Object> unix = Files.readAttributes(file, "unix:mode,nlink", NOFOLLOW);
                    Object inode = attrs.fileKey();
                    Path first = inode != null && (int) unix.get("nlink") > 1 ? copiedInodes.putIfAbsent(inode, t) : null;
                    if (first != null) {
                        Files.createLink(t, first);
                    } else {
                        Files.copy(file, t, StandardCopyOption.COPY_ATTRIBUTES, NOFOLLOW);
                        // setPosixFilePermissions sets the rwx bits only, which drops setuid, setgid and sticky
                        if (((int) unix.get("mode") & 07000) != 0)
                            Files.setPosixFilePermissions(t, Files.getPosixFilePermissions(file, NOFOLLOW));
                        widen(t, false);
                    }
                } else {
                    skipped[0]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) throw e;
                Path t = dir.equals(from) ? to : target(dir);
                Files.setPosixFilePermissions(t, Files.getPosixFilePermissions(dir, NOFOLLOW));
                widen(t, true);
                setTimes(t, Files.getLastModifiedTime(dir, NOFOLLOW));
                return FileVisitResult.CONTINUE;
            }
        });
        if (skipped[0] > 0)
            log.warning("skipped " + skipped[0] + " device file(s), FIFO(s) or socket(s): an unprivileged user cannot create them");
    }

    /** Gives every directory below and including {@code root} u+rwx (Charliecloud's fix-up), so the user can manage it. */
    static void makeManageable(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                widen(dir, true);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof AccessDeniedException && Files.isDirectory(file, NOFOLLOW)) {
                    widen(file, true);
                    makeManageable(file);
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
    }

    /** Removes {@code path} and everything below it, whatever the permissions; false if it was not there. */
    static boolean delete(Path path) throws IOException {
        if (!Files.exists(path, NOFOLLOW)) return false;
        if (!Files.isDirectory(path, NOFOLLOW)) {
            Files.deleteIfExists(path);
            return true;
        }
        makeManageable(path);
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) throw e;
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
        return true;
    }

    /** {@link #delete}, for clean-up paths where a failure must not hide the error being reported. */
    static void deleteQuietly(Path path, Log log) {
        try {
            delete(path);
        } catch (IOException e) {
            log.warning("can't remove " + path + ": " + e.getMessage());
        }
    }

    /** The names in a directory (empty list for an empty one). */
    static List<Path> list(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static void widen(Path p, boolean directory) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, NOFOLLOW);
        boolean changed = perms.add(PosixFilePermission.OWNER_READ) | perms.add(PosixFilePermission.OWNER_WRITE);
        if (directory) changed |= perms.addAll(USER_RWX);
        if (changed) Files.setPosixFilePermissions(p, perms);
    }

    private static void setTimes(Path p, FileTime mtime) throws IOException {
        Files.getFileAttributeView(p, BasicFileAttributeView.class, NOFOLLOW).setTimes(mtime, null, null);
    }
}
