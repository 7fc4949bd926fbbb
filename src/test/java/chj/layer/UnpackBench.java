package chj.layer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Timing harness for the pull's hot path (not a test; nothing is asserted). Usage:
 * {@code java -cp target/classes:target/test-classes:target/lib/* chj.layer.UnpackBench LAYER.tar[.gz] [runs]}
 *
 * <p>Per run it times: decompression alone; decompression with both digests (blob and DiffID);
 * the whole unpack (blob digest → decompress → DiffID → unpack) with and without read-ahead;
 * and GNU tar. Each unpack starts in a fresh directory after a sync, and its output is deleted
 * and synced before the next, so one step's write-back does not land on the next. Prints each
 * run, then the median and the best of each step, wall-clock time and the process's CPU time
 * (all threads; the CPU time is the steadier figure on a shared machine).
 */
public final class UnpackBench {

    public static void main(String[] args) throws Exception {
        Path layer = Path.of(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        boolean gz = !layer.toString().endsWith(".tar");
        Path scratch = Files.createTempDirectory(Path.of("/var/tmp"), "chj-bench-");
        Map<String, List<Double>> times = new LinkedHashMap<>();
        try {
            for (int run = 0; run < runs; run++) {
                Path out = scratch.resolve("out");
                step(times, "decompress", () -> decompress(layer, gz, false), null);
                step(times, "+digests", () -> decompress(layer, gz, true), null);
                step(times, "unpack", () -> unpack(layer, gz, out, true), out);
                step(times, "unpack (no read-ahead)", () -> unpack(layer, gz, out, false), out);
                step(times, "GNU tar", () -> gnuTar(layer, gz, out), out);
                StringBuilder line = new StringBuilder("run " + run + ":");
                times.forEach((k, v) -> line.append(String.format(" %s %.3f s |", k, v.getLast())));
                System.out.println(line);
            }
            StringBuilder line = new StringBuilder("median:");
            times.forEach((k, v) -> line.append(String.format(" %s %.3f s |", k, median(v))));
            System.out.println(line);
            StringBuilder best = new StringBuilder("best:");
            times.forEach((k, v) -> best.append(String.format(" %s %.3f s |", k, v.stream().mapToDouble(d -> d).min().orElse(0))));
            System.out.println(best);
        } finally {
            RootTree.deleteTree(scratch);
        }
    }

    interface Job {
        void run() throws Exception;
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private static void step(Map<String, List<Double>> times, String name, Job job, Path out) throws Exception {
        sync();
        long t0 = System.nanoTime(), cpu0 = OS.getProcessCpuTime();
        job.run();
        times.computeIfAbsent(name, k -> new ArrayList<>()).add((System.nanoTime() - t0) / 1e9);
        times.computeIfAbsent(name + " cpu", k -> new ArrayList<>()).add((OS.getProcessCpuTime() - cpu0) / 1e9);
        if (out != null) {
            RootTree.deleteTree(out);
            sync();
        }
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static InputStream open(Path layer, boolean gz, MessageDigest blob, MessageDigest diff) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(layer), Compression.BUFFER_SIZE);
        if (blob != null) raw = new DigestInputStream(raw, blob);
        InputStream tar = gz ? Compression.decompress(raw) : raw;
        return diff != null ? new DigestInputStream(tar, diff) : tar;
    }

    private static void decompress(Path layer, boolean gz, boolean digests) throws IOException {
        try (InputStream tar = open(layer, gz, digests ? chj.oci.Digest.newSha256() : null, digests ? chj.oci.Digest.newSha256() : null)) {
            tar.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static void unpack(Path layer, boolean gz, Path root, boolean readAhead) throws Exception {
        List<String> warnings = new ArrayList<>();
        LayerUnpacker unpacker = new LayerUnpacker(root, warnings::add);
        unpacker.readAhead(readAhead);
        try (InputStream tar = open(layer, gz, chj.oci.Digest.newSha256(), chj.oci.Digest.newSha256())) {
            unpacker.apply(tar);
        }
        unpacker.finish();
    }

    private static void gnuTar(Path layer, boolean gz, Path root) throws Exception {
        Files.createDirectories(root);
        run("tar", "-C", root.toString(), gz ? "-xzf" : "-xf", layer.toString());
    }

    private static void sync() throws Exception {
        run("sync");
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) throw new IOException("failed: " + Arrays.toString(cmd));
    }
}
