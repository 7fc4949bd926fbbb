package chj.layer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Timing harness for layer compression (not a test; nothing is asserted), run by bench/gzip:
 * {@code java -cp target/classes:target/test-classes:target/lib/* chj.layer.GzipBench FILE [runs]}.
 * Compresses FILE (read from the page cache) into a counting sink with java.util.zip's single-threaded
 * GZIPOutputStream and with {@link ParallelGzipOutputStream} on 1 and on all cores, and zstd; prints
 * the median time, throughput and compressed size of each.
 */
public final class GzipBench {

    interface Compressor {
        OutputStream open(OutputStream sink) throws IOException;
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int cores = Runtime.getRuntime().availableProcessors();
        Map<String, Compressor> kinds = new LinkedHashMap<>();
        kinds.put("GZIPOutputStream -6", s -> new GZIPOutputStream(s, 1 << 16));
        kinds.put("ParallelGzip -6 x1", s -> new ParallelGzipOutputStream(s, 6, ParallelGzipOutputStream.DEFAULT_BLOCK_SIZE, 1));
        kinds.put("ParallelGzip -6 x" + cores, s -> new ParallelGzipOutputStream(s, 6, ParallelGzipOutputStream.DEFAULT_BLOCK_SIZE, cores));
        kinds.put("zstd -3 x" + cores, s -> Compressors.compress(Compression.ZSTD, s, cores));
        long size = Files.size(file);
        System.out.printf("input: %s, %.1f MB, %d cores, %d runs%n", file, size / 1e6, cores, runs);
        for (var k : kinds.entrySet()) {
            List<Double> times = new ArrayList<>();
            long out = 0;
            for (int run = 0; run < runs + 1; run++) {
                long t0 = System.nanoTime();
                out = compress(file, k.getValue());
                if (run > 0) times.add((System.nanoTime() - t0) / 1e9); // the first run warms the JIT
            }
            times.sort(null);
            double median = times.get(times.size() / 2);
            System.out.printf("%-24s median %6.2f s  %7.1f MB/s  out %6.1f MB (%.2f%%)%n", k.getKey(), median,
                    size / 1e6 / median, out / 1e6, 100.0 * out / size);
        }
    }

    private static long compress(Path file, Compressor c) throws IOException {
        long[] count = {0};
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                count[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                count[0] += len;
            }
        };
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file); OutputStream z = c.open(sink)) {
            int n;
            while ((n = in.read(buf)) > 0) z.write(buf, 0, n);
        }
        return count[0];
    }
}
