package chj.image;

import chj.oci.Digest;
import chj.registry.DownloadListener;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * A layer blob read while it downloads: it follows the part file as the download writes it, so the
 * unpacker works during the transfer instead of after it, and the bytes come back from the page
 * cache rather than the disk.
 *
 * <p>What the download has written is not verified until it ends, and a download may start over
 * (a registry that would not resume). So this stream hashes every byte it hands out and, at its
 * end, compares that hash with the blob's digest: the reader has then read exactly the verified
 * blob (a restarted download rewrites the same bytes, as blobs are content-addressed), or it gets
 * an error and whatever it built is thrown away. The end comes only after the download has
 * succeeded; a failed download fails the read with a {@link DownloadFailed}.
 *
 * <p>One reader thread; the {@link DownloadListener} side may be called from any thread.
 */
final class BlobFollower extends InputStream implements DownloadListener {

    /** The read failed because the download did; the download's own error says why. */
    static final class DownloadFailed extends IOException {
        DownloadFailed(Digest digest, Throwable cause) {
            super("download of blob " + digest + " failed", cause);
        }
    }

    private final Digest digest;
    private final Path partFile;
    private final DownloadListener progress;
    private final MessageDigest hash;

    // written by download threads, read by the reader
    private long written;       // guarded by this
    private Path finished;      // guarded by this: the verified blob, once the download is done
    private Throwable failure;  // guarded by this

    // the reader's own
    private FileChannel channel;
    private long position;
    private boolean checked;
    private IOException mismatch;

    /**
     * @param partFile where the download writes the blob
     * @param progress gets the download's progress, passed through
     */
    BlobFollower(Digest digest, Path partFile, DownloadListener progress) {
        this.digest = digest;
        this.partFile = partFile;
        this.progress = progress;
        this.hash = digest.newHasher();
    }

    @Override
    public void progressed(long total) {
        progress.progressed(total);
    }

    @Override
    public synchronized void written(long length) {
        written = length;
        notifyAll();
    }

    /** The download succeeded and the verified blob is at {@code blob} (the part file renamed, or another process's copy). */
    synchronized void finished(Path blob) {
        finished = blob;
        notifyAll();
    }

    synchronized void failed(Throwable cause) {
        failure = cause;
        notifyAll();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (true) {
            long limit = awaitBytes();
            int want = (int) Math.min(len, limit - position);
            int n = channel.read(ByteBuffer.wrap(b, off, want), position);
            if (n > 0) {
                hash.update(b, off, n);
                position += n;
                return n;
            }
            if (limit == Long.MAX_VALUE) { // the whole verified blob is there: this is its end
                checkHash();
                return -1;
            }
            // the part file was emptied and is being written again: wait for it to come back here
        }
    }

    /**
     * Waits until there is something to read at {@link #position}, opening the file on the way.
     * Returns how far reading may go: the written prefix, or Long.MAX_VALUE once the download is done.
     */
    private long awaitBytes() throws IOException {
        Path open = null;
        synchronized (this) {
            while (true) {
                if (failure != null) throw new DownloadFailed(digest, failure);
                if (finished != null) {
                    if (channel == null) open = finished;
                    break;
                }
                if (written > position) {
                    if (channel == null) open = partFile;
                    break;
                }
                awaitNews();
            }
        }
        if (open != null && !openChannel(open)) return awaitBytes();
        synchronized (this) {
            return finished != null ? Long.MAX_VALUE : written;
        }
    }

    /** Opens the blob's file; false when the part file is gone, renamed into the cache just now. */
    private boolean openChannel(Path file) throws IOException {
        try {
            channel = FileChannel.open(file);
            return true;
        } catch (NoSuchFileException e) {
            if (!file.equals(partFile)) throw e;
            synchronized (this) {
                while (finished == null && failure == null) {
                    awaitNews();
                }
            }
            return false;
        }
    }

    /** Waits (holding this monitor) until the download side says something. */
    private void awaitNews() throws InterruptedIOException {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for blob " + digest);
        }
    }

    private void checkHash() throws IOException {
        if (mismatch != null) throw mismatch;
        if (checked) return;
        checked = true;
        Digest read = new Digest(digest.algorithm(), java.util.HexFormat.of().formatHex(hash.digest()));
        if (!read.equals(digest)) {
            mismatch = new IOException("blob " + digest + ": the bytes read while it downloaded hash to " + read
                    + " (the download started over and sent other bytes); pull again");
            throw mismatch;
        }
    }

    @Override
    public void close() throws IOException {
        if (channel != null) channel.close();
    }
}
