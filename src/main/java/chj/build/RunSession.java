package chj.build;

import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One {@code ch-run --serve} container for the RUNs of a stage: started on the first RUN, asked to
 * run each command (see chj.run.Session for the protocol), closed with the stage. A RUN then costs a
 * posix_spawn instead of a JVM start (about 0.1 s each on two cores).
 */
final class RunSession implements AutoCloseable {

    private final Path root;
    private final Path socketDir;
    private final ServerSocketChannel server;
    private final Process process;
    /** ch-run's connection, once its JVM is up (it connects before it touches the tree). */
    private final CompletableFuture<SocketChannel> connection;
    private boolean answered;

    private RunSession(Path root, Path socketDir, ServerSocketChannel server, Process process,
                       CompletableFuture<SocketChannel> connection) {
        this.root = root;
        this.socketDir = socketDir;
        this.server = server;
        this.process = process;
        this.connection = connection;
    }

    /** The tree this session's container is built on. */
    Path root() {
        return root;
    }

    /**
     * Starts {@code launcher --serve=SOCKET OPTIONS... ROOT} and returns at once: ch-run's JVM
     * starts while the caller fills the tree. ch-run connects, then waits for the first request
     * before it builds the container on the tree.
     */
    static RunSession start(Path launcher, List<String> options, Path root) throws IOException {
        // a Unix socket path has at most 107 bytes: a short directory of our own, not the store
        Path dir = Files.createTempDirectory(shortTemp(), "chj-run-");
        ServerSocketChannel server;
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(dir.resolve("s")));
        } catch (IOException | UnsupportedOperationException e) {
            Files.deleteIfExists(dir);
            throw new IOException("can't make a socket for ch-run: " + e.getMessage(), e);
        }
        try {
            List<String> cmd = new ArrayList<>();
            cmd.add(launcher.toString());
            cmd.add("--serve=" + dir.resolve("s"));
            cmd.addAll(options);
            cmd.add(root.toString());
            Process p = new ProcessBuilder(cmd)
                    .redirectInput(new File("/dev/null"))
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            // if ch-run ends without connecting, the accept gives up
            p.onExit().thenRun(() -> closeQuietly(server));
            // a thread of its own: the common pool may be busy with the build's own work
            CompletableFuture<SocketChannel> connection = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("chj-run-session-accept").start(() -> {
                try {
                    connection.complete(server.accept());
                } catch (IOException | RuntimeException e) {
                    connection.completeExceptionally(e);
                }
            });
            return new RunSession(root, dir, server, p, connection);
        } catch (IOException e) {
            cleanUp(server, dir);
            throw e;
        }
    }

    /**
     * Runs one command; its exit status, or ch-run's own if it could not build the container (it
     * has said why, as a one-shot ch-run would have, with the same status).
     */
    int run(List<String> request) throws IOException {
        SocketChannel channel;
        try {
            channel = connection.join();
        } catch (java.util.concurrent.CompletionException e) {
            return startFailure();
        }
        List<byte[]> parts = new ArrayList<>(request.size());
        int size = 4;
        for (String s : request) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            parts.add(b);
            size += 4 + b.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        out.putInt(parts.size());
        for (byte[] b : parts) out.putInt(b.length).put(b);
        out.flip();
        ByteBuffer in = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        try {
            while (out.hasRemaining()) channel.write(out);
            while (in.hasRemaining()) {
                if (channel.read(in) < 0) {
                    if (!answered) return startFailure();
                    throw new IOException("ch-run --serve ended (exit status " + waitQuietly(process) + ")");
                }
            }
        } catch (IOException e) {
            if (!answered) return startFailure();
            throw e;
        }
        answered = true;
        return in.getInt(0);
    }

    /** ch-run ended before it answered anything: its exit status (never 0). */
    private int startFailure() {
        int status = waitQuietly(process);
        return status == 0 ? CH_RUN_FAILED : status;
    }

    /** ch-run's exit status for its own failures. */
    private static final int CH_RUN_FAILED = 31;

    @Override
    public void close() {
        // connected: at the end of the stream ch-run exits; not yet: it has nothing to do
        if (connection.isDone() && !connection.isCompletedExceptionally()) closeQuietly(connection.join());
        else process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        cleanUp(server, socketDir);
    }

    /** $TMPDIR if its paths leave room for a socket name, else /tmp. */
    private static Path shortTemp() {
        String t = System.getenv("TMPDIR");
        if (t != null && t.startsWith("/") && t.length() < 60 && Files.isDirectory(Path.of(t))) return Path.of(t);
        return Path.of("/tmp");
    }

    private static int waitQuietly(Process p) {
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    private static void cleanUp(ServerSocketChannel server, Path dir) {
        closeQuietly(server);
        try {
            Files.deleteIfExists(dir.resolve("s"));
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a leftover in the temporary directory
        }
    }
}
