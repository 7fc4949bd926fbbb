package chj.store;

import chj.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second process for the store's cross-process tests: {@code main} does one thing to a store,
 * prints a line saying so, and waits to be killed (or exits when done). {@link #start} runs it in a
 * fresh JVM with the test class path.
 */
public final class StoreChild {

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        String mode = args[1];
        Storage s = Storage.open(root);
        switch (mode) {
            case "hold-image" -> {
                s.lockImage(args[2]);
                ready("LOCKED");
            }
            case "wait-image" -> {
                ready("WAITING");
                s.lockImage(args[2]);
                ready("ACQUIRED");
            }
            case "hold-blob" -> {
                s.lockBlob(Digest.parse(args[2]));
                ready("LOCKED");
            }
            case "stage" -> {
                StagingDir d = s.newStagingDir("pull");
                Files.writeString(d.dir().resolve("half-written"), "x");
                ready("STAGED " + d.dir());
            }
            case "open" -> ready("OPEN");
            case "publish" -> {
                // args: root publish NAME ITERATIONS: stage, fill, lock, publish, as a pull does
                String name = args[2];
                int n = Integer.parseInt(args[3]);
                for (int i = 0; i < n; i++) StoreTesting.publishVersion(s, name, ProcessHandle.current().pid() + "-" + i);
                s.close();
                System.out.println("DONE");
                System.exit(0);
            }
            default -> throw new IllegalArgumentException(mode);
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void ready(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** A running child; its stdout is read line by line. */
    static final class Child implements AutoCloseable {
        final Process process;
        private final InputStream out;

        Child(Process p) {
            this.process = p;
            this.out = p.getInputStream();
        }

        /** The next line of output, or null if none came within the timeout. */
        String readLine(long timeoutMs) throws IOException, InterruptedException {
            StringBuilder b = new StringBuilder();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (System.nanoTime() < deadline) {
                if (out.available() > 0) {
                    int c = out.read();
                    if (c < 0) return b.isEmpty() ? null : b.toString();
                    if (c == '\n') return b.toString();
                    b.append((char) c);
                } else if (!process.isAlive() && out.available() == 0) {
                    return b.isEmpty() ? null : b.toString();
                } else {
                    Thread.sleep(5);
                }
            }
            return null;
        }

        /** The next line, failing the test with the child's stderr if it does not come. */
        String expectLine(long timeoutMs) throws IOException, InterruptedException {
            String line = readLine(timeoutMs);
            if (line == null) {
                process.destroyForcibly();
                String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                throw new AssertionError("child printed nothing within " + timeoutMs + " ms; stderr:\n" + err);
            }
            return line;
        }

        /** SIGKILL, as a job scheduler or the OOM killer would. */
        void kill9() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    static Child start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(StoreChild.class.getName());
        cmd.addAll(List.of(args));
        try {
            return new Child(new ProcessBuilder(cmd).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
