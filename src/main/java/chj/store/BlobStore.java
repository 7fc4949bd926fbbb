package chj.store;

import chj.oci.Digest;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The verified blob cache, {@code blobs/ALG/HEX}: manifests, configs and layers as registries
 * serve them. A blob appears by rename only after its digest was checked, so presence means
 * verified. Downloads write to {@link #partPath} under the blob's lock and resume from there.
 */
public final class BlobStore {

    /** Manifests and configs are small; anything bigger read into memory is a mistake or an attack. */
    public static final int SMALL_LIMIT = 32 << 20;

    private final Storage storage;
    private final Path dir;

    BlobStore(Storage storage, Path dir) {
        this.storage = storage;
        this.dir = dir;
    }

    /** Where the verified blob lives (whether or not it is there). */
    public Path path(Digest digest) {
        return dir.resolve(digest.algorithm()).resolve(digest.hex());
    }

    public boolean contains(Digest digest) {
        return Files.isRegularFile(path(digest), LinkOption.NOFOLLOW_LINKS);
    }

    /** The part file of an unfinished download of {@code digest}; write it only while holding {@link Storage#lockBlob}. */
    public Path partPath(Digest digest) {
        return dir.resolve("partial").resolve(digest.algorithm() + "-" + digest.hex());
    }

    /** The digest a part file's name stands for, or null for other names. */
    Digest digestOfPart(String name) {
        int dash = name.indexOf('-');
        if (dash <= 0) return null;
        try {
            return new Digest(name.substring(0, dash), name.substring(dash + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A new empty file on the store's filesystem, for content that is written at once and then committed. */
    public Path newTempFile() throws StoreException {
        storage.checkOpen();
        Path p = dir.resolve("partial").resolve(".tmp." + ProcessHandle.current().pid() + "." + Layout.randomHex());
        try {
            return Files.createFile(p);
        } catch (IOException e) {
            throw StoreException.io("can't create temporary file", p, e);
        }
    }

    /**
     * Moves a file whose content the caller has verified against {@code digest} into the cache, by
     * rename, replacing any copy another process committed meanwhile (same bytes). The file must be
     * on the store's filesystem: a part file or a {@link #newTempFile()}.
     */
    public void commit(Digest digest, Path verifiedFile) throws StoreException {
        storage.checkOpen();
        Path target = path(digest);
        try {
            Files.createDirectories(target.getParent());
            Files.move(verifiedFile, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new StoreException("can't commit blob " + digest + ": " + verifiedFile + " is not on the storage directory's filesystem");
        } catch (IOException e) {
            throw StoreException.io("can't commit blob " + digest, target, e);
        }
    }

    /**
     * A small cached blob (manifest, config), checked against its digest on the way. A corrupt copy
     * is removed, so that the next pull fetches it again.
     */
    public byte[] readSmall(Digest digest) throws StoreException {
        Path p = path(digest);
        byte[] bytes;
        try {
            long size = Files.size(p);
            if (size > SMALL_LIMIT)
                throw new StoreException("blob " + digest + " is too large to read into memory (" + size + " bytes)");
            bytes = Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new StoreException("blob not in cache: " + digest);
        } catch (IOException e) {
            throw StoreException.io("can't read blob", p, e);
        }
        MessageDigest h = digest.newHasher();
        Digest actual = new Digest(digest.algorithm(), java.util.HexFormat.of().formatHex(h.digest(bytes)));
        if (!actual.equals(digest)) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // reported below either way
            }
            throw new StoreException("cached blob is corrupt: " + p + ": expected " + digest + ", got " + actual,
                    "it has been removed; pull again");
        }
        return bytes;
    }

    /** Stores bytes (a manifest as served, a config) under their SHA-256 and returns it. */
    public Digest putSmall(byte[] bytes) throws StoreException {
        Digest d = Digest.sha256(bytes);
        if (contains(d)) return d;
        Path tmp = newTempFile();
        try {
            Files.write(tmp, bytes);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // cleanStale removes it later
            }
            throw StoreException.io("can't write blob " + d, tmp, e);
        }
        commit(d, tmp);
        return d;
    }

    /** Removes a blob from the cache; false if it was not there. */
    public boolean delete(Digest digest) throws StoreException {
        try {
            return Files.deleteIfExists(path(digest));
        } catch (IOException e) {
            throw StoreException.io("can't delete blob", path(digest), e);
        }
    }

    /** Every cached blob (for garbage collection and listing). */
    public List<Digest> list() throws StoreException {
        List<Digest> out = new ArrayList<>();
        try {
            for (String alg : Layout.list(dir)) {
                if (alg.equals("partial")) continue;
                for (String hex : Layout.list(dir.resolve(alg))) {
                    try {
                        out.add(new Digest(alg, hex));
                    } catch (IllegalArgumentException notABlob) {
                        // stray file; not ours to list
                    }
                }
            }
        } catch (IOException e) {
            throw StoreException.io("can't list blobs", dir, e);
        }
        return out;
    }
}
