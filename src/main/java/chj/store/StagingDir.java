package chj.store;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fresh directory under the store's {@code tmp/} for building something that is published by
 * rename (an unpacked image, a build's work). The owner holds a lock for as long as the directory is
 * in use, so that {@link Storage#cleanStale()} removes the directories of dead processes only.
 * {@link #close()} removes whatever is still there (nothing, once published) and drops the lock.
 */
public final class StagingDir implements AutoCloseable {

    private final Path dir;
    private final FileMutex owner;

    StagingDir(Path dir, FileMutex owner) {
        this.dir = dir;
        this.owner = owner;
    }

    /** The directory to fill; on the store's filesystem, so renames out of it are atomic. */
    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws StoreException {
        if (!owner.isHeld()) return;
        try {
            Trees.deleteIfExists(dir);
            Files.deleteIfExists(owner.file());
        } catch (java.io.IOException e) {
            throw StoreException.io("can't remove staging directory", dir, e);
        } finally {
            owner.close();
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
