package chj.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * An exclusive lock on a file that excludes other processes (an fcntl lock, which the kernel drops
 * when its holder dies, kill -9 included) and other threads of this JVM.
 *
 * <p>Two traps of fcntl locks in a JVM decide the shape: a second lock on the same file from this
 * process throws OverlappingFileLockException instead of waiting, and closing <em>any</em> descriptor
 * of a file drops every lock the process holds on it. So a per-file semaphore is taken first, and a
 * channel to a lock file is only ever opened by the thread that holds that semaphore.
 */
final class FileMutex implements AutoCloseable {

    /** Keyed by the lock file's absolute path; Storage builds those from the store's real path. */
    private static final ConcurrentHashMap<Path, Semaphore> IN_JVM = new ConcurrentHashMap<>();

    private final Path file;
    private final Semaphore permit;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private FileMutex(Path file, Semaphore permit, FileChannel channel, FileLock lock) {
        this.file = file;
        this.permit = permit;
        this.channel = channel;
        this.lock = lock;
    }

    private static Semaphore permit(Path file) {
        return IN_JVM.computeIfAbsent(file, f -> new Semaphore(1, true));
    }

    private static FileChannel open(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    /** Waits until the lock is free and takes it; creates the lock file if needed. */
    static FileMutex acquire(Path file) throws IOException, InterruptedException {
        Semaphore p = permit(file);
        p.acquire();
        FileChannel ch = null;
        try {
            ch = open(file);
            FileLock l = ch.lock();
            return new FileMutex(file, p, ch, l);
        } catch (IOException | RuntimeException e) {
            if (ch != null) ch.close();
            p.release();
            if (e instanceof java.nio.channels.FileLockInterruptionException) throw new InterruptedException("interrupted waiting for " + file);
            throw e;
        }
    }

    /** Takes the lock if nobody (in this JVM or elsewhere) holds it; null otherwise. */
    static FileMutex tryAcquire(Path file) throws IOException {
        Semaphore p = permit(file);
        if (!p.tryAcquire()) return null;
        FileChannel ch = null;
        try {
            ch = open(file);
            FileLock l = ch.tryLock();
            if (l == null) {
                ch.close();
                p.release();
                return null;
            }
            return new FileMutex(file, p, ch, l);
        } catch (IOException | RuntimeException e) {
            if (ch != null) ch.close();
            p.release();
            throw e;
        }
    }

    Path file() {
        return file;
    }

    synchronized boolean isHeld() {
        return !closed;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it anyway
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
        permit.release();
    }
}
