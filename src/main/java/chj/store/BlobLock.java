package chj.store;

import chj.oci.Digest;

/**
 * Exclusive right to download one blob into the cache: whoever holds it may write the blob's part
 * file and commit it; others wait, then find the blob cached. Take at most one at a time, and only
 * after any image lock, so that no two processes wait on each other.
 */
public final class BlobLock implements AutoCloseable {

    private final Digest digest;
    private final FileMutex mutex;

    BlobLock(Digest digest, FileMutex mutex) {
        this.digest = digest;
        this.mutex = mutex;
    }

    public Digest digest() {
        return digest;
    }

    public boolean isHeld() {
        return mutex.isHeld();
    }

    @Override
    public void close() {
        mutex.close();
    }

    @Override
    public String toString() {
        return "blob lock " + digest.shortHex();
    }
}
