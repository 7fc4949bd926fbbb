package chj.store;

import chj.oci.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Removes what dead processes left in a store, judging liveness by locks only (never by PIDs, which
 * mean nothing on another node sharing the store): a lock that can be taken has no living owner.
 */
final class Cleaner {

    private final Storage storage;

    Cleaner(Storage storage) {
        this.storage = storage;
    }

    @SuppressWarnings("try") // locks are held for their blocks
    int cleanStaging() throws IOException, StoreException {
        int removed = 0;
        Path tmp = storage.root().resolve("tmp");
        Path locks = storage.root().resolve("locks/staging");
        for (String name : Layout.list(tmp)) {
            Path lockFile = locks.resolve(name + ".lock");
            Optional<FileMutex> dead = storage.tryAcquire(lockFile);
            if (dead.isEmpty()) continue; // owner alive
            try (FileMutex m = dead.get()) {
                Path old = storage.trashPath(name);
                try {
                    Files.move(tmp.resolve(name), old, StandardCopyOption.ATOMIC_MOVE);
                    removed++;
                    Storage.deleteQuietly(old);
                } catch (NoSuchFileException gone) {
                    // published or cleaned meanwhile
                }
                Files.deleteIfExists(lockFile);
            }
        }
        // Lock files whose directory is gone: an owner that died between locking and mkdir, or a
        // cleaner that died. Young ones may belong to an owner about to lock; leave those.
        for (String name : Layout.list(locks)) {
            if (!name.endsWith(".lock")) continue;
            Path lockFile = locks.resolve(name);
            if (Files.exists(tmp.resolve(name.substring(0, name.length() - 5)), LinkOption.NOFOLLOW_LINKS)) continue;
            if (!olderThan(lockFile, Storage.STALE_TEMP)) continue;
            Optional<FileMutex> dead = storage.tryAcquire(lockFile);
            if (dead.isEmpty()) continue;
            try (FileMutex m = dead.get()) {
                Files.deleteIfExists(lockFile);
            }
        }
        return removed;
    }

    @SuppressWarnings("try") // the blob lock is held for its block
    int cleanPartial() throws IOException, StoreException {
        int removed = 0;
        Path partial = storage.root().resolve("blobs/partial");
        for (String name : Layout.list(partial)) {
            Path p = partial.resolve(name);
            if (name.startsWith(".")) {
                if (olderThan(p, Storage.STALE_TEMP) && Files.deleteIfExists(p)) removed++;
                continue;
            }
            if (!olderThan(p, Storage.STALE_PART)) continue;
            Digest d = storage.blobs().digestOfPart(name);
            if (d == null) continue; // not ours to judge
            Optional<BlobLock> lock = storage.tryLockBlob(d);
            if (lock.isEmpty()) continue; // being resumed right now
            try (BlobLock l = lock.get()) {
                if (olderThan(p, Storage.STALE_PART) && Files.deleteIfExists(p)) removed++;
            }
        }
        return removed;
    }

    int cleanTrash() throws IOException {
        int removed = 0;
        Path trash = storage.root().resolve("trash");
        for (String name : Layout.list(trash)) {
            // Everything here is garbage; a concurrent remover of the same entry is tolerated.
            if (Storage.deleteQuietly(trash.resolve(name))) removed++;
        }
        return removed;
    }

    private static boolean olderThan(Path p, Duration age) throws IOException {
        try {
            Instant m = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
            return m.isBefore(Instant.now().minus(age));
        } catch (NoSuchFileException e) {
            return false;
        }
    }
}
