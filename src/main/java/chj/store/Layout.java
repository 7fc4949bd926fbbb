package chj.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The storage directory's layout on disk: recognising ours, refusing others, making a new one (also
 * when several processes race to), and wiping one for reset.
 */
final class Layout {

    static final String VERSION = "version";
    static final String INIT_LOCK = ".init.lock";
    /** ch-run's default SquashFS mount point lives in the store (as Charliecloud's), and may come first. */
    static final String MOUNT_POINT = "mnt";
    private static final List<String> TREE = List.of("img", "blobs", "blobs/sha256", "blobs/partial", "tmp",
            "locks", "locks/img", "locks/blob", "locks/staging", "trash", MOUNT_POINT);

    /** What a directory may hold while another process initialises it. */
    private static final Set<String> INIT_ENTRIES = Set.of(INIT_LOCK, "img", "blobs", "tmp", "locks", "trash", MOUNT_POINT,
            // another process may finish (version written last) between our version check and this one
            VERSION);

    private Layout() {}

    /** Checks or creates the layout; returns the root's real path. */
    static Path prepare(Path root) throws StoreException {
        if (!root.isAbsolute()) throw new StoreException("storage directory must be an absolute path: " + root);
        Path r = root.normalize();
        try {
            if (Files.exists(r) && !Files.isDirectory(r)) throw new StoreException("storage directory is not a directory: " + r);
            Files.createDirectories(r);
            Path real = r.toRealPath();
            if (readVersion(real) == null) initialise(real);
            createTree(real); // in case someone removed a part of it
            return real;
        } catch (IOException e) {
            throw StoreException.io("can't use storage directory", r, e);
        }
    }

    /**
     * The version if it is ours; null if there is no version file; refuses anything else. The file
     * is written last, by rename, so a store with one is complete.
     */
    static String readVersion(Path root) throws StoreException, IOException {
        String text = versionText(root);
        if (text == null || text.equals(Storage.LAYOUT_VERSION)) return text;
        if (text.matches("[0-9]+"))
            throw new StoreException("storage directory is Charliecloud's (layout version " + text + "), not chj's: " + root,
                    "chj keeps its own layout and never changes Charliecloud's; use another directory with -s or"
                            + " CH_IMAGE_STORAGE (chj's default is /var/tmp/$USER.chj)");
        if (text.startsWith("chj-"))
            throw new StoreException("incompatible storage directory version " + text + ": " + root,
                    "you can delete and re-initialize with \"ch-image reset\"");
        throw invalid(root, "unknown version '" + (text.length() > 20 ? text.substring(0, 20) + "…" : text) + "'");
    }

    /** The version file's content, stripped; null if there is none. */
    static String versionText(Path root) throws StoreException, IOException {
        Path v = root.resolve(VERSION);
        if (!Files.exists(v, LinkOption.NOFOLLOW_LINKS)) return null;
        if (!Files.isRegularFile(v, LinkOption.NOFOLLOW_LINKS) || Files.size(v) > 64)
            throw invalid(root, "version is not a small file");
        return Files.readString(v, StandardCharsets.UTF_8).strip();
    }

    static StoreException invalid(Path root, String why) {
        return new StoreException("storage directory seems invalid: " + root + ": " + why,
                "use an empty or new directory for chj (-s or CH_IMAGE_STORAGE)");
    }

    /**
     * Makes an empty directory a store. Several processes may try at once: they queue on
     * {@code .init.lock}, and the first writes the version file last.
     */
    @SuppressWarnings("try") // the lock is held for the block
    private static void initialise(Path root) throws StoreException, IOException {
        checkInitialisable(root);
        try (FileMutex m = FileMutex.acquire(root.resolve(INIT_LOCK))) {
            if (readVersion(root) != null) return; // another process finished first
            checkInitialisable(root);
            for (String d : TREE) Files.createDirectories(root.resolve(d));
            writeVersion(root);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while initialising storage directory: " + root);
        }
    }

    private static void checkInitialisable(Path root) throws StoreException, IOException {
        List<String> names = list(root);
        if (names.isEmpty() || names.equals(List.of(MOUNT_POINT))) return;
        boolean ours = names.contains(INIT_LOCK)
                && names.stream().allMatch(n -> INIT_ENTRIES.contains(n) || n.startsWith(VERSION + ".tmp."));
        if (!ours) throw invalid(root, "not empty and no version file");
    }

    private static void writeVersion(Path root) throws IOException {
        Path tmp = root.resolve(VERSION + ".tmp." + ProcessHandle.current().pid() + "." + randomHex());
        Files.writeString(tmp, Storage.LAYOUT_VERSION + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, root.resolve(VERSION), StandardCopyOption.ATOMIC_MOVE);
    }

    private static void createTree(Path root) throws StoreException {
        for (String d : TREE) {
            Path p = root.resolve(d);
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) continue;
            try {
                Files.createDirectories(p);
            } catch (IOException e) {
                throw StoreException.io("can't create", p, e);
            }
        }
    }

    /**
     * Deletes all but the store lock (held by the caller) and writes a fresh layout. The version file
     * stays until it is replaced, so that a process opening the store meanwhile does not take the
     * half-emptied directory for a foreign one; it waits for the store lock instead.
     */
    static void wipeAndInitialise(Path root) throws IOException {
        for (String name : list(root)) {
            if (name.equals("locks") || name.equals(INIT_LOCK) || name.equals(VERSION)) continue;
            Trees.deleteIfExists(root.resolve(name));
        }
        Path locks = root.resolve("locks");
        for (String name : list(locks))
            if (!name.equals("store.lock")) Trees.deleteIfExists(locks.resolve(name));
        for (String d : TREE) Files.createDirectories(root.resolve(d));
        writeVersion(root);
    }

    static String randomHex() {
        byte[] b = new byte[4];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The names in a directory; empty if it does not exist. */
    static List<String> list(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) out.add(p.getFileName().toString());
        } catch (NoSuchFileException e) {
            return out;
        }
        return out;
    }
}
