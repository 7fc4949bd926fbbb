package chj.layer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

class ParallelGzipTest {

    private static final int BLOCK = ParallelGzipOutputStream.DEFAULT_BLOCK_SIZE;

    @TempDir
    Path tmp;

    /** Text-like data: words from a small vocabulary, so back-references across blocks matter. */
    static byte[] text(int size, long seed) {
        String[] words = {"layer ", "image ", "tar ", "gzip ", "chj ", "container ", "\n", "registry ", "blob "};
        Random r = new Random(seed);
        ByteArrayOutputStream b = new ByteArrayOutputStream(size + 16);
        while (b.size() < size) b.writeBytes(words[r.nextInt(words.length)].getBytes());
        return java.util.Arrays.copyOf(b.toByteArray(), size);
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] pgzip(byte[] data, int threads, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new ParallelGzipOutputStream(out, 6, BLOCK, threads)) {
            for (int off = 0; off < data.length; off += chunk) {
                z.write(data, off, Math.min(chunk, data.length - off));
                if (off % (3 * chunk) == 0) z.flush();
            }
        }
        return out.toByteArray();
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    @Test
    void roundTripsAtBlockBoundaries() throws IOException {
        for (int size : new int[] {0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 5, 2 * BLOCK}) {
            byte[] data = text(size, size);
            byte[] gz = pgzip(data, 3, 10_000);
            assertThat(gunzip(gz)).as("size %d", size).isEqualTo(data);
            try (InputStream in = Compression.decompress(new ByteArrayInputStream(gz))) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
        }
        byte[] noise = random(5 * BLOCK + 77, 9);
        assertThat(gunzip(pgzip(noise, 2, 65_536))).isEqualTo(noise);
    }

    @Test
    void outputDependsOnlyOnDataNotOnThreadsOrWrites() throws IOException {
        byte[] data = text(9 * BLOCK + 1234, 42);
        byte[] reference = pgzip(data, 1, data.length);
        assertThat(pgzip(data, 2, 1000)).isEqualTo(reference);
        assertThat(pgzip(data, 4, 131_071)).isEqualTo(reference);
        ByteArrayOutputStream bytewise = new ByteArrayOutputStream();
        try (OutputStream z = new ParallelGzipOutputStream(bytewise, 6, BLOCK, 3)) {
            for (int i = 0; i < 3 * BLOCK; i++) z.write(data[i]);
            z.write(data, 3 * BLOCK, data.length - 3 * BLOCK);
        }
        assertThat(bytewise.toByteArray()).isEqualTo(reference);
        // header: no mtime, no name
        assertThat(java.util.Arrays.copyOfRange(reference, 0, 10)).containsExactly(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3);
    }

    @Test
    void ratioCloseToSingleThreadedGzip() throws IOException {
        byte[] data = text(4 << 20, 7);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(plain)) {
            z.write(data);
        }
        int parallel = pgzip(data, 2, 1 << 16).length;
        assertThat((double) parallel / plain.size()).isBetween(0.98, 1.02);
    }

    @Test
    void gzipToolAcceptsIt() throws Exception {
        byte[] data = text(2 * BLOCK + 99, 3);
        Path gz = tmp.resolve("x.gz");
        Files.write(gz, pgzip(data, 2, 4096));
        Process t = new ProcessBuilder("gzip", "-t", gz.toString()).redirectErrorStream(true).start();
        String msg = new String(t.getInputStream().readAllBytes());
        assertThat(t.waitFor()).as(msg).isZero();
        Process d = new ProcessBuilder("gzip", "-dc", gz.toString()).start();
        byte[] out = d.getInputStream().readAllBytes();
        assertThat(d.waitFor()).isZero();
        assertThat(out).isEqualTo(data);
    }

    @Test
    void zstdWithWorkersIsTheSameForAnyWorkerCount() throws IOException {
        byte[] data = text(6 << 20, 11);
        byte[] one = zstd(data, 1);
        assertThat(zstd(data, 2)).isEqualTo(one);
        assertThat(zstd(data, 4)).isEqualTo(one);
        try (InputStream in = Compression.decompress(new ByteArrayInputStream(one))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    private static byte[] zstd(byte[] data, int threads) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = Compressors.compress(Compression.ZSTD, out, threads)) {
            for (int off = 0; off < data.length; off += 100_000) {
                z.write(data, off, Math.min(100_000, data.length - off));
                z.flush(); // must not change the output
            }
        }
        return out.toByteArray();
    }
}
