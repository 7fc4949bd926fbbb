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
 * GZIPOutputStream and with {@link ParallelGzipOutputStream} on 1 and on all cores (zlib's way, and libdeflate's where installed), and zstd; prints
 * the median wall time, throughput, CPU time and compressed size of each.
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
        kinds.put("ParallelGzip zlib -6 x1", s -> ParallelGzipOutputStream.withZlib(s, 6, ParallelGzipOutputStream.DEFAULT_BLOCK_SIZE, 1));
        kinds.put("ParallelGzip zlib -6 x" + cores, s -> ParallelGzipOutputStream.withZlib(s, 6, ParallelGzipOutputStream.DEFAULT_BLOCK_SIZE, cores));
        if (LibDeflate.get() != null) {
            for (int level : new int[] {1, 2, 3, 4, 6})
                kinds.put("ParallelGzip libdeflate -" + level + " x" + cores,
                        s -> new ParallelGzipOutputStream(s, level, ParallelGzipOutputStream.DEFAULT_BLOCK_SIZE, cores));
        }
        kinds.put("zstd -3 x" + cores, s -> Compressors.compress(Compression.ZSTD, s, cores));
        long size = Files.size(file);
        System.out.printf("input: %s, %.1f MB, %d cores, %d runs%n", file, size / 1e6, cores, runs);
        for (var k : kinds.entrySet()) {
            List<Double> times = new ArrayList<>(), cpu = new ArrayList<>();
            long out = 0;
            for (int run = 0; run < runs + 1; run++) {
                long t0 = System.nanoTime();
                long c0 = cpuNanos();
                out = compress(file, k.getValue());
                if (run == 0) continue; // the first run warms the JIT
                times.add((System.nanoTime() - t0) / 1e9);
                cpu.add((cpuNanos() - c0) / 1e9);
            }
            times.sort(null);
            cpu.sort(null);
            double median = times.get(times.size() / 2);
            System.out.printf("%-24s median %6.2f s  %7.1f MB/s  CPU %6.2f s  out %6.1f MB (%.2f%%)%n", k.getKey(), median,
                    size / 1e6 / median, cpu.get(cpu.size() / 2), out / 1e6, 100.0 * out / size);
        }
    }

    /** CPU time of this process, all threads: what a busy machine's other load does not inflate. */
    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
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
