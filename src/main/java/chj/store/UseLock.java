package chj.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * A shared lock on {@code locks/store.lock} held by every process that has the store open, so that
 * {@code reset} (which needs it exclusively) cannot pull the store out from under a running pull.
 * Within one JVM the open stores share one channel and count their users: fcntl locks belong to the
 * process, and a second channel on the file would conflict with (and on close, drop) the first.
 */
final class UseLock {

    private static final Map<Path, UseLock> OPEN = new HashMap<>(); // guarded by itself

    private final Path file;
    private final FileChannel channel;
    private FileLock lock;
    private int users;

    private UseLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Joins the store's users; waits while a reset is running. */
    static UseLock acquire(Path file) throws IOException {
        synchronized (OPEN) {
            UseLock u = OPEN.get(file);
            if (u == null) {
                FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                try {
                    u = new UseLock(file, ch, ch.lock(0, Long.MAX_VALUE, true));
                } catch (IOException | RuntimeException e) {
                    ch.close();
                    throw e;
                }
                OPEN.put(file, u);
            }
            u.users++;
            return u;
        }
    }

    void release() {
        synchronized (OPEN) {
            if (--users > 0) return;
            OPEN.remove(file);
            try {
                channel.close(); // releases the lock
            } catch (IOException ignored) {
                // the lock goes with the descriptor
            }
        }
    }

    /** Something done while no other user, in this process or another, has the store open. */
    interface Exclusive {
        void run() throws StoreException, IOException;
    }

    /**
     * Runs {@code action} with the lock held exclusively; fails at once (no waiting) when the store
     * is in use elsewhere, since a pull may hold it for a long time.
     */
    void exclusively(Path root, Exclusive action) throws StoreException, IOException {
        synchronized (OPEN) {
            if (users > 1) throw inUse(root);
            lock.release();
            FileLock exclusive = channel.tryLock(0, Long.MAX_VALUE, false);
            if (exclusive == null) {
                lock = channel.lock(0, Long.MAX_VALUE, true);
                throw inUse(root);
            }
            try {
                action.run();
            } finally {
                exclusive.release();
                lock = channel.lock(0, Long.MAX_VALUE, true);
            }
        }
    }

    private static StoreException inUse(Path root) {
        return new StoreException("storage directory is in use by another process: " + root,
                "wait for other ch-image commands on this storage directory to finish");
    }
}
