package chj.build;

import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    private final SocketChannel channel;

    private RunSession(Path root, Path socketDir, ServerSocketChannel server, Process process, SocketChannel channel) {
        this.root = root;
        this.socketDir = socketDir;
        this.server = server;
        this.process = process;
        this.channel = channel;
    }

    /** The tree this session's container is built on. */
    Path root() {
        return root;
    }

    /** Why a session could not be had; {@code exitStatus} is ch-run's when it ended during start-up, else -1. */
    static final class StartFailure extends Exception {
        final int exitStatus;

        StartFailure(String message, int exitStatus, Throwable cause) {
            super(message, cause);
            this.exitStatus = exitStatus;
        }
    }

    /**
     * Starts {@code launcher --serve=SOCKET OPTIONS... ROOT} and waits until it has connected (its
     * container is then being built; the first request waits for it).
     */
    static RunSession start(Path launcher, List<String> options, Path root) throws StartFailure {
        Path dir;
        ServerSocketChannel server;
        try {
            // a Unix socket path has at most 107 bytes: a short directory of our own, not the store
            dir = Files.createTempDirectory(shortTemp(), "chj-run-");
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(dir.resolve("s")));
        } catch (IOException | UnsupportedOperationException e) {
            throw new StartFailure("can't make a socket for ch-run: " + e.getMessage(), -1, e);
        }
        Process p = null;
        try {
            List<String> cmd = new ArrayList<>();
            cmd.add(launcher.toString());
            cmd.add("--serve=" + dir.resolve("s"));
            cmd.addAll(options);
            cmd.add(root.toString());
            p = new ProcessBuilder(cmd)
                    .redirectInput(new File("/dev/null"))
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            // if ch-run ends without connecting, stop waiting for it
            p.onExit().thenRun(() -> closeQuietly(server));
            SocketChannel ch = server.accept();
            return new RunSession(root, dir, server, p, ch);
        } catch (AsynchronousCloseException e) {
            int status = waitQuietly(p);
            cleanUp(server, dir);
            throw new StartFailure("ch-run ended before its container was ready (exit status " + status + ")", status, e);
        } catch (IOException e) {
            if (p != null) p.destroyForcibly();
            cleanUp(server, dir);
            throw new StartFailure("can't start " + launcher + ": " + e.getMessage(), -1, e);
        }
    }

    /** Runs one command; its exit status (or ch-run's, 49 if it could not be started). */
    int run(List<String> request) throws IOException {
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
        while (out.hasRemaining()) channel.write(out);
        ByteBuffer in = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        while (in.hasRemaining()) {
            if (channel.read(in) < 0) {
                int status = waitQuietly(process);
                throw new IOException("ch-run --serve ended (exit status " + status + ")");
            }
        }
        return in.getInt(0);
    }

    @Override
    public void close() {
        closeQuietly(channel);
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
