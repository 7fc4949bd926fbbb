package chj.layer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip on all cores. The input is cut into fixed-size blocks, compressed on worker threads and
 * written in order by the caller's thread, in one of two ways:
 *
 * <ul>
 *   <li>With libdeflate ({@link LibDeflate}, where the system has it): each block of 1 MiB becomes
 *       a complete gzip member of its own, 2 to 3 times as fast as zlib at the same level and as
 *       small. A gzip file may hold any number of members (RFC 1952 §2.2); gunzip, Go's, Python's
 *       and Java's readers, and so every container tool, read them as one stream.</li>
 *   <li>Else with the JDK's zlib, as pigz does it: each block is deflated with the previous 32 KiB
 *       of input as its dictionary (so the ratio stays within a fraction of a percent of
 *       single-threaded gzip), non-final blocks end with a sync flush (which byte-aligns them so
 *       their outputs simply concatenate), and the caller's thread keeps the CRC-32: one member.</li>
 * </ul>
 *
 * <p>The bytes depend only on the input, the level, the block size and which of the two is used
 * (and its version): not on the number of threads, on how the caller chunks its writes, or on the
 * clock (mtime zero, no file name). Memory is bounded by {@code maxInFlight} blocks and their
 * compressed output.
 */
public final class ParallelGzipOutputStream extends OutputStream {

    public static final int DEFAULT_BLOCK_SIZE = 128 * 1024;
    /** Blocks for libdeflate, whose members share no dictionary: large enough that this costs nothing. */
    static final int MEMBER_BLOCK_SIZE = 1 << 20;
    public static final int DEFAULT_LEVEL = 6;
    /** Deflate's window: a block may refer back this far into the previous one. */
    private static final int DICTIONARY = 32 * 1024;
    /** The header of a gzip member without name, comment or mtime; XFL and OS are filled in. */
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};

    private final OutputStream out;
    private final int level;
    private final int blockSize;
    private final int maxInFlight;
    private final ExecutorService pool;
    private final boolean ownPool;
    private final ArrayDeque<Future<byte[]>> pending = new ArrayDeque<>();
    private final BlockingQueue<Deflater> deflaters;
    /** Null: zlib, one member. */
    private final LibDeflate libdeflate;
    private final BlockingQueue<java.lang.foreign.MemorySegment> compressors;
    private final BlockingQueue<byte[]> spareBlocks;
    private final CRC32 crc = new CRC32();

    private byte[] block;
    private int filled;
    private byte[] dictionary;  // last DICTIONARY bytes of the previous block, or null for the first
    private long total;
    private boolean finished;
    private volatile boolean closed;

    /** Level 6 (gzip's default), 128 KiB blocks, one thread per core. */
    public ParallelGzipOutputStream(OutputStream out) throws IOException {
        this(out, DEFAULT_LEVEL, DEFAULT_BLOCK_SIZE, Runtime.getRuntime().availableProcessors());
    }

    /** With a pool of {@code threads} workers of its own, shut down by {@link #close()}. */
    public ParallelGzipOutputStream(OutputStream out, int level, int blockSize, int threads) throws IOException {
        this(out, level, blockSize, newPool(threads), true, 2 * Math.max(1, threads) + 1);
    }

    /**
     * With workers from {@code pool}, which the caller owns (several streams may share one, e.g. for
     * the layers of one push), and at most {@code maxInFlight} blocks waiting or being deflated.
     */
    public ParallelGzipOutputStream(OutputStream out, int level, int blockSize, ExecutorService pool, int maxInFlight)
            throws IOException {
        this(out, level, blockSize, pool, false, maxInFlight, LibDeflate.get());
    }

    private ParallelGzipOutputStream(OutputStream out, int level, int blockSize, ExecutorService pool, boolean ownPool,
                                     int maxInFlight) throws IOException {
        this(out, level, blockSize, pool, ownPool, maxInFlight, LibDeflate.get());
    }

    /** zlib's way whether or not libdeflate is there: for tests and measurements. */
    static ParallelGzipOutputStream withZlib(OutputStream out, int level, int blockSize, int threads) throws IOException {
        return new ParallelGzipOutputStream(out, level, blockSize, newPool(threads), true, 2 * Math.max(1, threads) + 1, null);
    }

    private ParallelGzipOutputStream(OutputStream out, int level, int blockSize, ExecutorService pool, boolean ownPool,
                                     int maxInFlight, LibDeflate libdeflate) throws IOException {
        if (level < 0 || level > 9) throw new IllegalArgumentException("gzip level must be 0 to 9: " + level);
        if (blockSize < DICTIONARY) throw new IllegalArgumentException("block size below 32 KiB: " + blockSize);
        if (maxInFlight < 1) throw new IllegalArgumentException("maxInFlight < 1");
        this.out = out;
        this.level = level;
        this.libdeflate = level >= 1 ? libdeflate : null; // level 0 (store) is zlib's
        this.blockSize = this.libdeflate != null ? Math.max(blockSize, MEMBER_BLOCK_SIZE) : blockSize;
        this.pool = pool;
        this.ownPool = ownPool;
        this.maxInFlight = maxInFlight;
        this.deflaters = new ArrayBlockingQueue<>(maxInFlight);
        this.compressors = new ArrayBlockingQueue<>(maxInFlight);
        this.spareBlocks = new ArrayBlockingQueue<>(maxInFlight + 1);
        this.block = new byte[this.blockSize];
        if (this.libdeflate == null) {
            byte[] header = HEADER.clone();
            header[8] = (byte) (level == 9 ? 2 : level == 1 ? 4 : 0); // XFL, as gzip sets it
            out.write(header);
        }
    }

    /** Whether the output is a series of libdeflate members (else one zlib member). */
    boolean usesLibdeflate() {
        return libdeflate != null;
    }

    private static ExecutorService newPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads < 1: " + threads);
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "chj-gzip");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (finished) throw new IOException("gzip stream already finished");
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (libdeflate == null) crc.update(b, off, len); // libdeflate's members carry their own
        total += len;
        while (len > 0) {
            int n = Math.min(len, blockSize - filled);
            System.arraycopy(b, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == blockSize) submit(false);
        }
    }

    /** Hands the current block to a worker and starts a new one; {@code last} ends the deflate stream. */
    private void submit(boolean last) throws IOException {
        byte[] input = block;
        int length = filled;
        byte[] dict = dictionary;
        if (!last) {
            if (libdeflate == null) dictionary = Arrays.copyOfRange(input, length - DICTIONARY, length);
            block = spareBlocks.poll();
            if (block == null) block = new byte[blockSize];
            filled = 0;
        }
        pending.add(pool.submit(() -> libdeflate != null ? member(input, length) : deflate(input, length, dict, last)));
        while (!pending.isEmpty() && (pending.size() >= maxInFlight || pending.peek().isDone())) writeHead();
    }

    /** Deflates one block; runs on a worker. */
    private byte[] deflate(byte[] input, int length, byte[] dict, boolean last) {
        Deflater d = deflaters.poll();
        if (d == null) d = new Deflater(level, true);
        try {
            if (dict != null) d.setDictionary(dict);
            d.setInput(input, 0, length);
            byte[] buf = new byte[length + (length >> 3) + 64];
            int pos = 0;
            if (last) {
                d.finish();
                while (!d.finished()) {
                    if (pos == buf.length) buf = Arrays.copyOf(buf, buf.length * 2);
                    pos += d.deflate(buf, pos, buf.length - pos);
                }
            } else {
                // SYNC_FLUSH: a full output buffer means there may be more to come (Deflater's contract).
                int n;
                do {
                    if (pos == buf.length) buf = Arrays.copyOf(buf, buf.length * 2);
                    n = d.deflate(buf, pos, buf.length - pos, Deflater.SYNC_FLUSH);
                    pos += n;
                } while (pos == buf.length);
            }
            return pos == buf.length ? buf : Arrays.copyOf(buf, pos);
        } finally {
            d.reset();
            if (!deflaters.offer(d)) d.end();
            if (input.length == blockSize) spareBlocks.offer(input);
        }
    }

    /** Compresses one block into a gzip member of its own with libdeflate; runs on a worker. */
    private byte[] member(byte[] input, int length) {
        java.lang.foreign.MemorySegment c = compressors.poll();
        if (c == null) c = libdeflate.newCompressor(level);
        try {
            byte[] buf = new byte[(int) libdeflate.bound(c, length)];
            int n = libdeflate.gzip(c, input, length, buf);
            return Arrays.copyOf(buf, n);
        } finally {
            if (closed || !compressors.offer(c)) libdeflate.free(c); // closed: nobody frees the queue again
            if (input.length == blockSize) spareBlocks.offer(input);
        }
    }

    /** Writes the oldest block's output, waiting for it if need be. */
    private void writeHead() throws IOException {
        Future<byte[]> f = pending.poll();
        try {
            out.write(f.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.forEach(p -> p.cancel(true));
            throw new InterruptedIOException("interrupted while compressing");
        } catch (ExecutionException e) {
            pending.forEach(p -> p.cancel(true));
            throw new IOException("gzip compression failed: " + e.getCause(), e.getCause());
        }
    }

    /** Ends the gzip member (last block and trailer) without closing the underlying stream. */
    public void finish() throws IOException {
        if (finished) return;
        finished = true;
        if (libdeflate != null) {
            if (filled > 0 || total == 0) submit(true); // an empty input still makes one (empty) member
            while (!pending.isEmpty()) writeHead();
            out.flush();
            return;
        }
        submit(true);
        while (!pending.isEmpty()) writeHead();
        byte[] trailer = new byte[8];
        int c = (int) crc.getValue();
        int size = (int) total; // ISIZE: the input length modulo 2^32
        for (int i = 0; i < 4; i++) {
            trailer[i] = (byte) (c >>> (8 * i));
            trailer[4 + i] = (byte) (size >>> (8 * i));
        }
        out.write(trailer);
        out.flush();
    }

    /** Bytes of input taken so far. */
    public long bytesIn() {
        return total;
    }

    @Override
    public void flush() throws IOException {
        // Blocks are flushed as they complete; flushing a partial block would change the output.
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            finish();
            out.close();
        } finally {
            pending.forEach(p -> p.cancel(true));
            if (ownPool) pool.shutdownNow();
            Deflater d;
            while ((d = deflaters.poll()) != null) d.end();
            java.lang.foreign.MemorySegment c;
            while ((c = compressors.poll()) != null) libdeflate.free(c);
        }
    }
}
