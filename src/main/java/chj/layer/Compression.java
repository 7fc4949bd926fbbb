package chj.layer;

import com.github.luben.zstd.ZstdInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;

/**
 * How a layer blob is compressed, told by its first bytes rather than by its media type: registries
 * label zstd and uncompressed layers as gzip often enough.
 */
public enum Compression {
    GZIP, ZSTD, NONE;

    /** Large reads: decompression is the hot path of a pull. */
    static final int BUFFER_SIZE = 256 * 1024;

    /** Compression told by the first bytes of a blob (fewer than four bytes mean NONE). */
    public static Compression detect(byte[] head, int length) {
        if (length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) return GZIP;
        if (length >= 4 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd
                && (head[0] & 0xff) == 0x28) return ZSTD;
        // A zstd skippable frame (zstd:chunked and friends may start with one): 0x184D2A5?, little-endian.
        if (length >= 4 && (head[0] & 0xf0) == 0x50 && (head[1] & 0xff) == 0x2a && (head[2] & 0xff) == 0x4d
                && (head[3] & 0xff) == 0x18) return ZSTD;
        return NONE;
    }

    /**
     * Compression of a stream, told without consuming it: the stream must support mark/reset
     * without side effects (a {@link BufferedInputStream} does; a DigestInputStream over one does
     * not, as it would hash the first bytes twice).
     */
    public static Compression detect(InputStream in) throws IOException {
        if (!in.markSupported())
            throw new IllegalArgumentException("Compression.detect needs a stream that supports mark/reset");
        in.mark(4);
        byte[] head = in.readNBytes(4);
        in.reset();
        return detect(head, head.length);
    }

    /**
     * The decompressed content of a blob, whatever its compression. Reading the result to its end
     * also reads {@code raw} to its end, so a digest computed around {@code raw} covers every byte
     * (gzip stops reading at the last member and ignores what follows it).
     */
    public static InputStream decompress(InputStream raw) throws IOException {
        // Our own buffer to peek into: a caller's stream may pass mark/reset through a filter with
        // side effects (DigestInputStream would hash the peeked bytes twice).
        InputStream in = new BufferedInputStream(raw, 64 * 1024);
        return detect(in).open(in);
    }

    /** Decompresses a stream known to be compressed this way; see {@link #decompress}. */
    public InputStream open(InputStream compressed) throws IOException {
        return switch (this) {
            // GZIPInputStream reads concatenated members (pigz, eStargz) as one stream.
            case GZIP -> new DrainAtEnd(new GZIPInputStream(compressed, 64 * 1024), compressed);
            case ZSTD -> new DrainAtEnd(new ZstdInputStream(compressed), compressed);
            case NONE -> compressed;
        };
    }

    /** At the end of the decompressed data, reads the rest of the compressed stream. */
    private static final class DrainAtEnd extends FilterInputStream {
        private final InputStream raw;
        private boolean drained;

        DrainAtEnd(InputStream decompressed, InputStream raw) {
            super(decompressed);
            this.raw = raw;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) drain();
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0) drain();
            return n;
        }

        private void drain() throws IOException {
            if (drained) return;
            drained = true;
            raw.transferTo(OutputStream.nullOutputStream());
        }
    }
}
