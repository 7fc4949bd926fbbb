package chj.layer;

import chj.oci.MediaType;
import com.github.luben.zstd.ZstdOutputStream;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The writing side of {@link Compression}: layer blobs and tarballs compressed on all cores
 * ({@link ParallelGzipOutputStream}; zstd's own worker threads). Output depends only on the data and
 * the settings, never on how the writer chunks or flushes, so the same tar gives the same blob.
 */
public final class Compressors {

    /** zstd's default level: about gzip -6's ratio at several times its speed. */
    public static final int ZSTD_LEVEL = 3;

    private Compressors() {}

    /**
     * A stream that compresses into {@code out} using up to {@code threads} threads; closing it ends
     * the compressed stream and closes {@code out}. {@code NONE} passes bytes through.
     */
    public static OutputStream compress(Compression compression, OutputStream out, int threads) throws IOException {
        if (threads < 1) throw new IllegalArgumentException("threads < 1: " + threads);
        return switch (compression) {
            case GZIP -> new ParallelGzipOutputStream(out, ParallelGzipOutputStream.DEFAULT_LEVEL,
                    ParallelGzipOutputStream.DEFAULT_BLOCK_SIZE, threads);
            case ZSTD -> new FlushFree(zstd(out, threads));
            case NONE -> new FlushFree(out);
        };
    }

    /** Compression on all cores. */
    public static OutputStream compress(Compression compression, OutputStream out) throws IOException {
        return compress(compression, out, Runtime.getRuntime().availableProcessors());
    }

    /**
     * zstd in multi-threaded mode even with one worker: its output is the same for any number of
     * workers from one up (and differs from the single-threaded mode), so blobs do not depend on the
     * machine's core count.
     */
    private static OutputStream zstd(OutputStream out, int threads) throws IOException {
        ZstdOutputStream z = new ZstdOutputStream(out, ZSTD_LEVEL);
        z.setWorkers(threads);
        return z;
    }

    /** The OCI layer media type for a tar compressed this way. */
    public static String layerMediaType(Compression compression) {
        return switch (compression) {
            case GZIP -> MediaType.OCI_LAYER_TAR_GZIP;
            case ZSTD -> MediaType.OCI_LAYER_TAR_ZSTD;
            case NONE -> MediaType.OCI_LAYER_TAR;
        };
    }

    /** Compression by a file name's extension: {@code .gz}/{@code .tgz}, {@code .zst}/{@code .tzst}, else none. */
    public static Compression forFileName(String name) {
        if (name.endsWith(".gz") || name.endsWith(".tgz")) return Compression.GZIP;
        if (name.endsWith(".zst") || name.endsWith(".tzst")) return Compression.ZSTD;
        return Compression.NONE;
    }

    /**
     * Ignores flush(): a zstd flush ends a block early and so changes the output, and tar writers
     * flush when they please. Closing still flushes everything.
     */
    private static final class FlushFree extends FilterOutputStream {
        FlushFree(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() {
        }
    }
}
