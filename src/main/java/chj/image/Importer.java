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
        importTree(name, source.toString(), true, staging -> {
            if (Files.isDirectory(source)) {
                copyTree(source, staging);
                return new Filled(stripSingleTop(staging), null);
            }
            return new Filled(unpackTarball(source, staging, log), null);
        });
    }

    /** What a {@link Filler} made: the image root (its directory or one below) and the image's config, if it has one. */
    public record Filled(Path root, ImageConfig config) {}

    /** Writes an image tree into an empty staging directory. */
    @FunctionalInterface
    public interface Filler<X extends Exception> {
        Filled fill(Path emptyDir) throws IOException, LayerException, X;
    }

    /**
     * Makes an image in the store from whatever {@code filler} writes into a staging directory:
     * adds mount points and metadata (from the filler's config, else a new one naming
     * {@code source}), then publishes it under {@code name} in one rename. Nothing is published if
     * anything fails. With {@code replace} false an existing image of that name is an error.
     */
    public <X extends Exception> void importTree(Reference name, String source, boolean replace, Filler<X> filler)
            throws X, ImageException, StoreException, LayerException, OciException {
        log.info("importing:        " + source);
        try (ImageLock lock = store.lockImage(name.storeName());
             StagingDir staging = store.newStagingDir("import")) {
            if (!replace && store.imageExists(name.storeName()))
                throw new ImageException("exists in ch-image storage, not deleting per --no-clobber: " + name);
            Path unpacked = staging.dir().resolve("rootfs");
            Files.createDirectory(unpacked);
            Filled filled = filler.fill(unpacked);
            ImageConfig config = filled.config() != null ? filled.config() : ImageConfig.builder(Platform.host())
                    .history(new ImageConfig.History(Instant.now().toString(), "ch-image import " + Path.of(source).getFileName(),
                            null, false, null))
                    .build();
            ImageTree.initialize(filled.root(), config, log);
            store.publishImage(lock, filled.root());
        } catch (IOException e) {
            throw new ImageException("can't import " + source + ": " + e.getMessage(), null, e);
        }
        log.info("imported:         " + name);
    }

    /**
     * Unpacks a tarball (any compression) into {@code into} with the layer unpacker's safety rules;
     * returns the image root: {@code into}, or its single top-level directory when the tarball
     * holds one that is not itself part of a root file system.
     */
    public static Path unpackTarball(Path tarball, Path into, Log log) throws IOException, LayerException {
        LayerUnpacker unpacker = new LayerUnpacker(into, log::warning);
        try (InputStream in = Compression.decompress(new BufferedInputStream(Files.newInputStream(tarball), 1 << 18))) {
            unpacker.apply(in);
        }
        unpacker.finish();
        return stripSingleTop(into);
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
