package chj.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Removing directory trees that image content fills: never following symlinks, tolerating a concurrent remover. */
final class Trees {

    private Trees() {}

    /** Removes {@code path} and everything below it; false if it was already gone. */
    static boolean deleteIfExists(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) return false;
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    // Images may hold directories without write or search permission (chmod 0500 in a
                    // layer); the owner may always fix that.
                    makeWritable(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                    if (e instanceof AccessDeniedException && Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                        makeWritable(file); // unreadable directory: the walker could not open it
                        if (Files.isReadable(file) && Files.isExecutable(file)) {
                            deleteIfExists(file);
                            return FileVisitResult.CONTINUE;
                        }
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) throw e;
                    try {
                        Files.deleteIfExists(dir);
                    } catch (DirectoryNotEmptyException again) {
                        // another remover or a late writer added something; one more pass
                        deleteIfExists(dir);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException gone) {
            return false;
        }
        return true;
    }

    private static void makeWritable(Path dir) throws IOException {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> need = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE);
            if (!p.containsAll(need)) {
                p.addAll(need);
                Files.setPosixFilePermissions(dir, p);
            }
        } catch (NoSuchFileException gone) {
            // removed by someone else meanwhile
        }
    }
}
