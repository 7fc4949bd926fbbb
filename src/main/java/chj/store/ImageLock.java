package chj.store;

/**
 * Exclusive right to change one image name in one store (pull, build, import, delete of that name).
 * Held until {@link #close()} or until the process dies. Readers (ch-run) need no lock: an image
 * appears and is replaced by rename only.
 */
public final class ImageLock implements AutoCloseable {

    private final Storage storage;
    private final String storeName;
    private final FileMutex mutex;

    ImageLock(Storage storage, String storeName, FileMutex mutex) {
        this.storage = storage;
        this.storeName = storeName;
        this.mutex = mutex;
    }

    /** The image's name in the store, e.g. {@code alpine+3.19}. */
    public String storeName() {
        return storeName;
    }

    public boolean isHeld() {
        return mutex.isHeld();
    }

    Storage storage() {
        return storage;
    }

    @Override
    public void close() {
        mutex.close();
    }

    @Override
    public String toString() {
        return "image lock " + storeName;
    }
}
