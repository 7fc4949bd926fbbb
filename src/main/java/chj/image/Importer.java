package chj.image;

import chj.Log;
import chj.layer.Compression;
import chj.layer.LayerException;
import chj.layer.LayerUnpacker;
import chj.oci.ImageConfig;
import chj.oci.OciException;
import chj.oci.Platform;
import chj.oci.Reference;
import chj.store.ImageLock;
import chj.store.StagingDir;
import chj.store.Storage;
import chj.store.StoreException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code ch-image import PATH REF}: a directory or a tarball (any compression) becomes an image in
 * the store. A tarball goes through the same unpacker as registry layers (so the same rules protect
 * the store); a directory is copied without following symlinks. A single top-level directory that is
 * not itself part of a root file system is stripped (tarbombs and "tar czf x.tgz mydir" both work).
 */
public final class Importer {

    /** Names that mean "this directory already is a root file system", so it is never stripped. */
    private static final Set<String> ROOT_NAMES = Set.of("bin", "dev", "etc", "mnt", "proc", "sys", "tmp", "usr");

    private final Storage store;
    private final Log log;

    public Importer(Storage store, Log log) {
        this.store = store;
        this.log = log;
    }

    public void importImage(Path source, Reference name)
            throws ImageException, StoreException, LayerException, OciException {
        if (!Files.exists(source)) throw new ImageException("can't import: no such file or directory: " + source);
        log.info("importing:        " + source);
        try (ImageLock lock = store.lockImage(name.storeName());
             StagingDir staging = store.newStagingDir("import")) {
            Path unpacked = staging.dir().resolve("rootfs");
            Files.createDirectory(unpacked);
            if (Files.isDirectory(source)) copyTree(source, unpacked);
            else unpackTarball(source, unpacked);
            Path root = stripSingleTop(unpacked);
            ImageConfig config = ImageConfig.builder(Platform.host())
                    .history(new ImageConfig.History(Instant.now().toString(), "ch-image import " + source.getFileName(),
                            null, false, null))
                    .build();
            ImageTree.initialize(root, config, log);
            store.publishImage(lock, root);
        } catch (IOException e) {
            throw new ImageException("can't import " + source + ": " + e.getMessage(), null, e);
        }
        log.info("imported:         " + name);
    }

    private void unpackTarball(Path tarball, Path root) throws IOException, LayerException {
        LayerUnpacker unpacker = new LayerUnpacker(root, log::warning);
        try (InputStream in = Compression.decompress(new BufferedInputStream(Files.newInputStream(tarball), 1 << 18))) {
            unpacker.apply(in);
        }
        unpacker.finish();
    }

    private static Path stripSingleTop(Path unpacked) throws IOException {
        List<Path> top;
        try (Stream<Path> s = Files.list(unpacked)) {
            top = s.toList();
        }
        if (top.size() == 1 && Files.isDirectory(top.getFirst(), LinkOption.NOFOLLOW_LINKS)
                && !ROOT_NAMES.contains(top.getFirst().getFileName().toString()))
            return top.getFirst();
        return unpacked;
    }

    /**
     * Copies a directory tree: symlinks as links, files and directories with their modes widened so the
     * user can manage them (u+rw, directories u+rwx), setuid/setgid dropped, devices and sockets skipped.
     */
    private void copyTree(Path from, Path to) throws IOException {
        int[] skipped = {0};
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path t = to.resolve(from.relativize(dir).toString());
                if (!dir.equals(from)) Files.createDirectory(t);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path t = to.resolve(from.relativize(file).toString());
                if (attrs.isSymbolicLink()) {
                    Files.createSymbolicLink(t, Files.readSymbolicLink(file));
                } else if (attrs.isRegularFile()) {
                    Files.copy(file, t, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                    widen(t, false);
                } else {
                    skipped[0]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) throw e;
                Path t = to.resolve(from.relativize(dir).toString());
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
                Files.setPosixFilePermissions(t, perms);
                widen(t, true);
                Files.setLastModifiedTime(t, Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS));
                return FileVisitResult.CONTINUE;
            }
        });
        if (skipped[0] > 0) log.warning("skipped " + skipped[0] + " device files, FIFOs or sockets");
    }

    private static void widen(Path p, boolean directory) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        boolean changed = perms.add(PosixFilePermission.OWNER_READ) | perms.add(PosixFilePermission.OWNER_WRITE);
        if (directory) changed |= perms.add(PosixFilePermission.OWNER_EXECUTE);
        if (changed) Files.setPosixFilePermissions(p, perms);
    }
}
