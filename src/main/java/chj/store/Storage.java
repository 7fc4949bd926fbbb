package chj.store;

import chj.oci.Digest;
import chj.oci.Reference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The storage directory: unpacked images by name, a digest-keyed blob cache, staging space and
 * locks. Many processes may use one at once; every change is a rename of something complete, made
 * under a per-object lock, so a reader never sees half an image and a process killed at any moment
 * leaves nothing that the next one trips over.
 *
 * <pre>
 * version               "chj-1"
 * img/NAME/             unpacked images; NAME is the reference with / → % and : → +
 * blobs/sha256/HEX      verified blobs (manifests, configs, layers)
 * blobs/partial/        part files of interrupted downloads (resumed), temporary files
 * tmp/PURPOSE.PID.RAND/ staging directories, each guarded by locks/staging/…
 * locks/                store.lock (shared by users, exclusive for reset), img/, blob/, staging/
 * trash/                what is being deleted (renamed here first, so deletion looks atomic)
 * </pre>
 */
public final class Storage implements AutoCloseable {

    /** This layout's version, the content of the {@code version} file. */
    public static final String LAYOUT_VERSION = "chj-1";

    /** Part files untouched this long belong to abandoned downloads. */
    static final Duration STALE_PART = Duration.ofDays(1);
    /** Temporary files are written in moments; older ones were left by a dead process. */
    static final Duration STALE_TEMP = Duration.ofHours(1);

    private static final Pattern PURPOSE = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    private final Path root;
    private final BlobStore blobs;
    private final UseLock use;
    private boolean closed;

    private Storage(Path root, UseLock use) {
        this.root = root;
        this.use = use;
        this.blobs = new BlobStore(this, root.resolve("blobs"));
    }

    // ---------------------------------------------------------------- where

    /**
     * The storage directory when {@code -s} is not given: {@code CH_IMAGE_STORAGE}, which must be an
     * absolute path, else {@code /var/tmp/USER.chj}.
     */
    public static Path defaultRoot(Map<String, String> env, String user) throws StoreException {
        String fromEnv = env.get("CH_IMAGE_STORAGE");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            Path p = Path.of(fromEnv);
            if (!p.isAbsolute())
                throw new StoreException("CH_IMAGE_STORAGE must be an absolute path: " + fromEnv);
            return p.normalize();
        }
        if (user == null || user.isEmpty() || user.contains("/"))
            throw new StoreException("can't choose a storage directory: unknown user name",
                    "set CH_IMAGE_STORAGE or use -s");
        return Path.of("/var/tmp", user + ".chj");
    }

    /** The storage directory: {@code -s DIR} if given (relative to the working directory), else {@link #defaultRoot}. */
    public static Path resolveRoot(String option, Map<String, String> env, String user) throws StoreException {
        if (option != null && !option.isEmpty()) return Path.of(option).toAbsolutePath().normalize();
        return defaultRoot(env, user);
    }

    // ---------------------------------------------------------------- open, validate, initialise

    /**
     * Opens the store at {@code root}, creating it if absent (or empty), and removes what dead
     * processes left behind. A foreign layout, a Charliecloud store or another chj layout version is
     * refused, never changed. Close it to leave the store's users (exit does too).
     */
    public static Storage open(Path root) throws StoreException {
        Path real = Layout.prepare(root);
        UseLock use;
        try {
            use = UseLock.acquire(real.resolve("locks/store.lock"));
        } catch (IOException e) {
            throw StoreException.io("can't lock storage directory", real, e);
        }
        Storage s = new Storage(real, use);
        try {
            // a reset may have run while we waited for the lock; it leaves a valid store, but check
            if (Layout.readVersion(real) == null) throw Layout.invalid(real, "version file vanished");
        } catch (IOException e) {
            s.close();
            throw StoreException.io("can't use storage directory", real, e);
        } catch (StoreException | RuntimeException e) {
            s.close();
            throw e;
        }
        try {
            s.cleanStale();
        } catch (StoreException e) {
            // leftovers stay for the next open; the store itself is fine
        }
        return s;
    }

    /** The real path of the storage directory. */
    public Path root() {
        return root;
    }

    public BlobStore blobs() {
        return blobs;
    }

    // ---------------------------------------------------------------- locks

    private Path imageLockFile(String storeName) {
        checkStoreName(storeName);
        return root.resolve("locks/img").resolve(storeName + ".lock");
    }

    Path blobLockFile(Digest d) {
        return root.resolve("locks/blob").resolve(d.algorithm() + "-" + d.hex() + ".lock");
    }

    /** Waits for, then takes, the exclusive lock on one image name. */
    public ImageLock lockImage(String storeName) throws StoreException {
        return new ImageLock(this, storeName, acquire(imageLockFile(storeName)));
    }

    /** Takes the image lock if it is free; empty if another process or thread holds it. */
    public Optional<ImageLock> tryLockImage(String storeName) throws StoreException {
        return tryAcquire(imageLockFile(storeName)).map(m -> new ImageLock(this, storeName, m));
    }

    /** Waits for, then takes, the exclusive lock on one blob. */
    public BlobLock lockBlob(Digest digest) throws StoreException {
        return new BlobLock(digest, acquire(blobLockFile(digest)));
    }

    /** Takes the blob lock if it is free; empty if another process or thread holds it. */
    public Optional<BlobLock> tryLockBlob(Digest digest) throws StoreException {
        return tryAcquire(blobLockFile(digest)).map(m -> new BlobLock(digest, m));
    }

    private FileMutex acquire(Path lockFile) throws StoreException {
        checkOpen();
        try {
            return FileMutex.acquire(lockFile);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for lock: " + lockFile);
        } catch (IOException e) {
            throw StoreException.io("can't lock", lockFile, e);
        }
    }

    Optional<FileMutex> tryAcquire(Path lockFile) throws StoreException {
        checkOpen();
        try {
            return Optional.ofNullable(FileMutex.tryAcquire(lockFile));
        } catch (IOException e) {
            throw StoreException.io("can't lock", lockFile, e);
        }
    }

    // ---------------------------------------------------------------- staging and publishing

    /**
     * A fresh, empty directory under {@code tmp/}, named {@code PURPOSE.PID.RANDOM}, for building
     * something to publish by rename. Close it when done; a dead owner's directory is removed by the
     * next {@link #cleanStale()}.
     *
     * @param purpose a short lowercase word, e.g. {@code pull} or {@code build}
     */
    public StagingDir newStagingDir(String purpose) throws StoreException {
        checkOpen();
        if (!PURPOSE.matcher(purpose).matches()) throw new IllegalArgumentException("bad staging purpose: " + purpose);
        for (int attempt = 0; ; attempt++) {
            String id = purpose + "." + ProcessHandle.current().pid() + "." + Layout.randomHex();
            Path lockFile = root.resolve("locks/staging").resolve(id + ".lock");
            Path dir = root.resolve("tmp").resolve(id);
            Optional<FileMutex> owner = tryAcquire(lockFile);
            if (owner.isEmpty()) {
                if (attempt < 3) continue;
                throw new StoreException("can't make a staging directory: " + lockFile + " is locked");
            }
            try {
                // the lock is held before the directory exists, so a cleaner never sees it unguarded
                Files.createDirectory(dir);
                return new StagingDir(dir, owner.get());
            } catch (FileAlreadyExistsException e) {
                owner.get().close();
                if (attempt >= 3) throw StoreException.io("can't make a staging directory", dir, e);
            } catch (IOException e) {
                owner.get().close();
                throw StoreException.io("can't make a staging directory", dir, e);
            }
        }
    }

    /**
     * Makes {@code staged}, a complete image directory under {@code tmp/}, the image named by
     * {@code held}, replacing any image of that name in one step: readers see the old image or the
     * new one, never a mixture or (where the filesystem can exchange names) nothing.
     */
    public void publishImage(ImageLock held, Path staged) throws StoreException {
        checkOpen();
        if (held.storage() != this || !held.isHeld())
            throw new IllegalStateException("publishImage needs the image lock of this store held: " + held);
        Path source = staged.toAbsolutePath().normalize();
        Path tmp = root.resolve("tmp");
        if (!source.startsWith(tmp) || source.equals(tmp))
            throw new IllegalArgumentException("can only publish from the store's tmp/: " + staged);
        if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS))
            throw new StoreException("can't publish image " + held.storeName() + ": not a directory: " + source);
        Path target = imageDir(held.storeName());
        try {
            if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
                return;
            }
            Path old = trashPath(held.storeName());
            if (AtomicExchange.exchange(source, target)) {
                Files.move(source, old, StandardCopyOption.ATOMIC_MOVE); // source now names the old image
            } else {
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
            }
            deleteQuietly(old);
        } catch (IOException e) {
            throw StoreException.io("can't publish image " + held.storeName(), target, e);
        }
    }

    // ---------------------------------------------------------------- images

    private static final Pattern BAD_NAME_CHARS = Pattern.compile("[/\\x00]");

    private static void checkStoreName(String storeName) {
        if (storeName.isEmpty() || storeName.startsWith(".") || BAD_NAME_CHARS.matcher(storeName).find()
                || storeName.getBytes(StandardCharsets.UTF_8).length > 250)
            throw new IllegalArgumentException("invalid image name in store: " + storeName);
    }

    /** Where image {@code storeName} (e.g. {@code alpine+3.19}) lives, whether or not it exists. */
    public Path imageDir(String storeName) {
        checkStoreName(storeName);
        return root.resolve("img").resolve(storeName);
    }

    /** {@link #imageDir(String)} for a reference as written. */
    public Path imageDir(Reference ref) {
        return imageDir(ref.storeName());
    }

    public boolean imageExists(String storeName) {
        return Files.isDirectory(imageDir(storeName), LinkOption.NOFOLLOW_LINKS);
    }

    /** The images in the store, as references ({@code %} → {@code /}, {@code +} → {@code :}), sorted. */
    public List<String> imageNames() throws StoreException {
        try {
            List<String> out = new ArrayList<>();
            for (String n : Layout.list(root.resolve("img")))
                if (!n.startsWith(".")) out.add(Reference.fromStoreName(n));
            out.sort(null);
            return out;
        } catch (IOException e) {
            throw StoreException.io("can't list images", root.resolve("img"), e);
        }
    }

    /** Deletes an image, waiting for its lock; false if there was none. */
    public boolean deleteImage(String storeName) throws StoreException {
        try (ImageLock lock = lockImage(storeName)) {
            return deleteImage(lock);
        }
    }

    /** Deletes the image whose lock the caller holds; false if there was none. */
    public boolean deleteImage(ImageLock held) throws StoreException {
        checkOpen();
        if (held.storage() != this || !held.isHeld())
            throw new IllegalStateException("deleteImage needs the image lock of this store held: " + held);
        Path target = imageDir(held.storeName());
        Path old = trashPath(held.storeName());
        try {
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw StoreException.io("can't delete image", target, e);
        }
        deleteQuietly(old);
        return true;
    }

    // ---------------------------------------------------------------- cleaning and reset

    /** What {@link #cleanStale()} removed. */
    public record Cleanup(int stagingDirs, int partFiles, int trashEntries) {}

    /**
     * Removes what dead processes left: staging directories whose owner's lock is free, everything in
     * {@code trash/}, part files untouched for a day (kept before that, for resuming) and temporary
     * files older than an hour. Runs on {@link #open}; safe while other processes work.
     */
    public Cleanup cleanStale() throws StoreException {
        checkOpen();
        Cleaner cleaner = new Cleaner(this);
        try {
            return new Cleanup(cleaner.cleanStaging(), cleaner.cleanPartial(), cleaner.cleanTrash());
        } catch (IOException e) {
            throw StoreException.io("can't clean storage directory", root, e);
        }
    }

    /**
     * Removes every image, blob and build product and re-initialises the store. Refused while any
     * other process (or another open Storage in this JVM) uses the store.
     */
    public void reset() throws StoreException {
        checkOpen();
        try {
            use.exclusively(root, () -> Layout.wipeAndInitialise(root));
        } catch (IOException e) {
            throw StoreException.io("can't reset storage directory", root, e);
        }
    }

    /**
     * {@code ch-image reset}: like {@link #reset()}, but also for a store of another chj layout
     * version, which {@link #open} refuses. Foreign directories (Charliecloud's, or anything without
     * a chj version file) are refused, never deleted.
     */
    public static void reset(Path root) throws StoreException {
        Path r = root.toAbsolutePath().normalize();
        if (!Files.exists(r)) {
            open(r).close();
            return;
        }
        String version;
        try {
            version = Layout.versionText(r.toRealPath());
        } catch (IOException e) {
            throw StoreException.io("can't reset storage directory", r, e);
        }
        if (version != null && version.startsWith("chj-") && !version.equals(LAYOUT_VERSION)) {
            resetIncompatible(r);
            return;
        }
        try (Storage s = open(r)) { // refuses foreign layouts
            s.reset();
        }
    }

    private static void resetIncompatible(Path root) throws StoreException {
        try {
            Path real = root.toRealPath();
            Files.createDirectories(real.resolve("locks"));
            UseLock use = UseLock.acquire(real.resolve("locks/store.lock"));
            try {
                use.exclusively(real, () -> Layout.wipeAndInitialise(real));
            } finally {
                use.release();
            }
        } catch (IOException e) {
            throw StoreException.io("can't reset storage directory", root, e);
        }
    }

    // ---------------------------------------------------------------- helpers

    Path trashPath(String name) {
        return root.resolve("trash").resolve(name + "." + ProcessHandle.current().pid() + "." + Layout.randomHex());
    }

    /** Deletes a trash entry; failure only leaves garbage that the next cleaning retries. */
    static boolean deleteQuietly(Path p) {
        try {
            return Trees.deleteIfExists(p);
        } catch (IOException e) {
            return false;
        }
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException("storage directory already closed: " + root);
    }

    /** Leaves the store's users; locks and staging directories taken from it stay valid until closed. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        use.release();
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
