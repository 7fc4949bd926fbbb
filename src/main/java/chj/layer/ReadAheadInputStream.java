package chj.layer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a stream to its end on a thread of its own and hands the bytes over in large chunks, so
 * that whatever the source does per byte (download, digest, decompress) runs beside the consumer
 * (tar parsing and file writes) instead of before it. A bounded queue keeps memory small.
 */
final class ReadAheadInputStream extends InputStream {

    private static final int CHUNK_SIZE = Compression.BUFFER_SIZE;
    private static final int QUEUE_CHUNKS = 8;

    /** One chunk of bytes, the end of the source (length -1), or its failure. */
    private record Chunk(byte[] data, int length, Throwable failure) {}

    private static final Chunk END = new Chunk(null, -1, null);

    private final BlockingQueue<Chunk> filled = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
    private final BlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(QUEUE_CHUNKS + 2);
    private final Thread reader;
    private volatile boolean closed;
    private Chunk current;
    private int position;
    private boolean ended;

    ReadAheadInputStream(InputStream source, String threadName) {
        reader = Thread.ofPlatform().daemon().name(threadName).start(() -> pump(source));
    }

    private void pump(InputStream source) {
        try {
            while (!closed) {
                byte[] buf = spare.poll();
                if (buf == null) buf = new byte[CHUNK_SIZE];
                int n = source.readNBytes(buf, 0, CHUNK_SIZE);
                if (n > 0) filled.put(new Chunk(buf, n, null));
                if (n < CHUNK_SIZE) {
                    filled.put(END);
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed by the consumer
        } catch (Throwable t) {
            try {
                filled.put(new Chunk(null, -1, t));
            } catch (InterruptedException e) {
                // closed by the consumer
            }
        }
    }

    /** Makes the next chunk current; false at the end of the source. */
    private boolean advance() throws IOException {
        if (ended) return false;
        if (current != null) spare.offer(current.data);
        current = null;
        Chunk next;
        try {
            next = filled.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the layer");
        }
        if (next.failure != null) {
            ended = true;
            switch (next.failure) {
                case IOException e -> throw e;
                case UncheckedIOException e -> throw e.getCause();
                case RuntimeException e -> throw e;
                case Error e -> throw e;
                default -> throw new IOException(next.failure);
            }
        }
        if (next == END) {
            ended = true;
            return false;
        }
        current = next;
        position = 0;
        return true;
    }

    @Override
    public int read() throws IOException {
        if ((current == null || position == current.length) && !advance()) return -1;
        return current.data[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        if ((current == null || position == current.length) && !advance()) return -1;
        int n = Math.min(len, current.length - position);
        System.arraycopy(current.data, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n) {
            if ((current == null || position == current.length) && !advance()) break;
            int step = (int) Math.min(n - skipped, current.length - position);
            position += step;
            skipped += step;
        }
        return skipped;
    }

    @Override
    public int available() {
        return current == null ? 0 : current.length - position;
    }

    /**
     * Waits for the reader thread after the end was reached, so that everything the source does
     * (a digest of every byte, say) is complete when this returns.
     */
    void awaitEnd() throws IOException {
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while finishing the layer");
        }
    }

    /** Stops reading ahead; the source itself stays open (its owner closes it). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        reader.interrupt();
        filled.clear();
    }
}
