package chj.image;

import chj.Log;
import chj.oci.ImageConfig;
import chj.oci.Platform;
import chj.store.Metadata;
import chj.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * What every image directory gets besides its layers, as Charliecloud's {@code unpack_init}: the
 * mount points ch-run binds onto, {@code ch/} with the metadata, and our record of the manifest so
 * that a later pull can tell the image is current and push can reuse its layers.
 */
public final class ImageTree {

    /** Top-level directories ch-run mounts on or expects; made only where nothing (not even a symlink) is. */
    private static final List<String> MOUNT_DIRS = List.of("bin", "dev", "etc", "mnt", "proc", "sys", "tmp", "usr");
    private static final List<String> MOUNT_FILES = List.of("etc/hosts", "etc/resolv.conf");
    public static final String MANIFEST_JSON = "manifest.json";

    private ImageTree() {}

    /** Adds mount points, metadata and volume directories to an unpacked image at {@code root}. */
    public static void initialize(Path root, ImageConfig config, Log log) throws StoreException {
        try {
            for (String d : MOUNT_DIRS) mkdirIfAbsent(root.resolve(d));
            if (Files.isDirectory(root.resolve("mnt"), LinkOption.NOFOLLOW_LINKS))
                for (int i = 0; i <= 9; i++) mkdirIfAbsent(root.resolve("mnt/" + i));
            for (String f : MOUNT_FILES) {
                Path p = root.resolve(f);
                if (realDirectory(root, p.getParent()) && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) Files.createFile(p);
            }
            if (config != null)
                for (String v : config.volumes()) makeVolume(root, v, log);
        } catch (IOException e) {
            throw new StoreException("can't prepare image directory " + root + ": " + e.getMessage(), null, e);
        }
        Metadata.write(root, config, Platform.host());
    }

    /** Saves the manifest as served, for up-to-date checks and push. */
    public static void writeRecord(Path root, byte[] manifest, ImageConfig config) throws StoreException {
        Path f = manifestFile(root);
        try {
            Files.createDirectories(f.getParent());
            Files.write(f, manifest);
        } catch (IOException e) {
            throw new StoreException("can't write " + f + ": " + e.getMessage(), null, e);
        }
    }

    /**
     * Saves the {@link TreeSnapshot} of a freshly unpacked image, for push to tell later whether the
     * tree is still what {@code manifest}'s layers make. Call it last, when nothing else will change
     * in the tree before it is published.
     */
    public static void writeSnapshot(Path root, chj.oci.Digest manifest, String source) throws StoreException {
        try {
            TreeSnapshot.record(root, manifest, source);
        } catch (IOException e) {
            throw new StoreException("can't record the state of " + root + ": " + e.getMessage(), null, e);
        }
    }

    public static Path manifestFile(Path imageDir) {
        return imageDir.resolve(Metadata.DIR).resolve(MANIFEST_JSON);
    }

    private static void mkdirIfAbsent(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(p);
    }

    /** True if every component from root down to {@code dir} is a real directory (no symlink). */
    private static boolean realDirectory(Path root, Path dir) {
        for (Path p = dir; p != null && p.startsWith(root); p = p.getParent())
            if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return false;
        return true;
    }

    /** VOLUME directories are created, but never through a symlink of the image. */
    private static void makeVolume(Path root, String volume, Log log) throws IOException {
        Path target = root.resolve(volume.replaceFirst("^/+", "")).normalize();
        if (!target.startsWith(root) || target.equals(root)) {
            log.warning("volume " + volume + " is outside the image; ignored");
            return;
        }
        Path p = root;
        for (Path part : root.relativize(target)) {
            p = p.resolve(part);
            if (Files.isSymbolicLink(p)) {
                log.warning("volume " + volume + ": " + root.relativize(p) + " is a symlink; not created");
                return;
            }
            mkdirIfAbsent(p);
        }
    }
}
