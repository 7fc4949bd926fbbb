package chj.layer;

import chj.oci.Digest;
import chj.testing.TarBuilder;
import com.github.luben.zstd.Zstd;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompressionTest {

    private static byte[] data(int size, long seed) {
        byte[] b = new byte[size];
        Random r = new Random(seed);
        for (int i = 0; i < size; i++) b[i] = (byte) ('a' + r.nextInt(4)); // compressible, not trivial
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    private static byte[] decompressAll(byte[] blob) throws IOException {
        try (InputStream in = Compression.decompress(new ByteArrayInputStream(blob))) {
            return in.readAllBytes();
        }
    }

    @Test
    void detectsByMagicBytes() {
        assertThat(Compression.detect(new byte[] {0x1f, (byte) 0x8b, 8, 0}, 4)).isEqualTo(Compression.GZIP);
        assertThat(Compression.detect(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, 4)).isEqualTo(Compression.ZSTD);
        assertThat(Compression.detect(new byte[] {0x5e, 0x2a, 0x4d, 0x18}, 4)).isEqualTo(Compression.ZSTD);
        assertThat(Compression.detect("usr/".getBytes(), 4)).isEqualTo(Compression.NONE);
        assertThat(Compression.detect(new byte[] {0x1f}, 1)).isEqualTo(Compression.NONE);
        assertThat(Compression.detect(new byte[0], 0)).isEqualTo(Compression.NONE);
    }

    @Test
    void detectLeavesTheStreamWhereItWas() throws IOException {
        byte[] gz = TarBuilder.gzip(data(1000, 1));
        BufferedInputStream in = new BufferedInputStream(new ByteArrayInputStream(gz));
        assertThat(Compression.detect(in)).isEqualTo(Compression.GZIP);
        assertThat(in.readAllBytes()).isEqualTo(gz);
        assertThatThrownBy(() -> Compression.detect(new java.io.FileInputStream("/dev/null")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void gzipRoundTrip() throws IOException {
        byte[] d = data(1_000_000, 2);
        assertThat(decompressAll(TarBuilder.gzip(d))).isEqualTo(d);
    }

    @Test
    void multiMemberGzipIsReadWhole() throws IOException {
        byte[] a = data(100_000, 3), b = data(50_000, 4), c = data(1, 5);
        byte[] blob = concat(TarBuilder.gzip(a), TarBuilder.gzip(b), TarBuilder.gzip(new byte[0]), TarBuilder.gzip(c));
        assertThat(decompressAll(blob)).isEqualTo(concat(a, b, c));
    }

    /**
     * JDK-7036144: GZIPInputStream used to stop at a member boundary when the source had nothing
     * available at that moment, as a socket often has. Serve the blob in small pieces, each read
     * ending exactly at the boundary, with available() always 0.
     */
    @Test
    void multiMemberGzipFromASocketLikeStream() throws IOException {
        byte[] a = data(150_000, 6), b = data(150_000, 7);
        byte[] first = TarBuilder.gzip(a), blob = concat(first, TarBuilder.gzip(b));
        InputStream socketLike = new InputStream() {
            int pos;

            @Override
            public int read() {
                return pos < blob.length ? blob[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] buf, int off, int len) {
                if (pos >= blob.length) return -1;
                int end = pos < first.length ? first.length : blob.length; // never read across the boundary
                int n = Math.min(Math.min(len, 777), end - pos);
                System.arraycopy(blob, pos, buf, off, n);
                pos += n;
                return n;
            }

            @Override
            public int available() {
                return 0;
            }
        };
        try (InputStream in = Compression.GZIP.open(socketLike)) {
            assertThat(in.readAllBytes()).isEqualTo(concat(a, b));
        }
    }

    @Test
    void junkAfterGzipIsReadSoTheBlobDigestCoversIt() throws IOException {
        byte[] d = data(10_000, 8);
        byte[] blob = concat(TarBuilder.gzip(d), new byte[777]);
        MessageDigest md = Digest.newSha256();
        try (InputStream in = Compression.decompress(new DigestInputStream(new ByteArrayInputStream(blob), md))) {
            assertThat(in.readAllBytes()).isEqualTo(d);
        }
        assertThat(Digest.ofSha256(md.digest())).isEqualTo(Digest.sha256(blob));
    }

    @Test
    void truncatedGzipFails() {
        byte[] gz = TarBuilder.gzip(data(100_000, 9));
        byte[] cut = Arrays.copyOf(gz, gz.length / 2);
        assertThatThrownBy(() -> decompressAll(cut)).isInstanceOf(IOException.class);
        byte[] noTrailer = Arrays.copyOf(gz, gz.length - 4);
        assertThatThrownBy(() -> decompressAll(noTrailer)).isInstanceOf(IOException.class);
    }

    @Test
    void corruptGzipFails() {
        byte[] gz = TarBuilder.gzip(data(100_000, 10));
        gz[gz.length - 6] ^= 0x55; // CRC
        assertThatThrownBy(() -> decompressAll(gz)).isInstanceOf(IOException.class);
    }

    @Test
    void zstdRoundTripAndMultipleFrames() throws IOException {
        byte[] a = data(300_000, 11), b = data(10_000, 12);
        assertThat(decompressAll(Zstd.compress(a, 3))).isEqualTo(a);
        assertThat(decompressAll(concat(Zstd.compress(a, 3), Zstd.compress(b, 19)))).isEqualTo(concat(a, b));
    }

    @Test
    void zstdWithLeadingSkippableFrame() throws IOException {
        byte[] a = data(5000, 13);
        byte[] skippable = {0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 'm', 'e', 't', 'a'};
        assertThat(decompressAll(concat(skippable, Zstd.compress(a, 3)))).isEqualTo(a);
    }

    @Test
    void truncatedZstdFails() {
        byte[] z = Zstd.compress(data(300_000, 14), 3);
        byte[] cut = Arrays.copyOf(z, z.length / 2);
        assertThatThrownBy(() -> decompressAll(cut)).isInstanceOf(IOException.class);
    }

    @Test
    void uncompressedIsPassedThrough() throws IOException {
        byte[] tar = new TarBuilder().file("a", "a").bytes();
        assertThat(decompressAll(tar)).isEqualTo(tar);
    }

    @Test
    void gzipAndZstdLayersUnpack(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        TarBuilder layer = new TarBuilder().file("etc/os-release", "ID=test\n");
        for (byte[] blob : new byte[][] {layer.gzip(), layer.zstd(), layer.bytes()}) {
            java.nio.file.Path root = tmp.resolve("img" + blob.length);
            new LayerUnpacker(root, w -> {}).apply(Compression.decompress(new ByteArrayInputStream(blob)));
            assertThat(root.resolve("etc/os-release")).hasContent("ID=test");
        }
    }
}
