package chj.convert;

import chj.Log;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The host programs ch-convert runs (mksquashfs, unsquashfs, docker, podman): found on PATH, run
 * with their output captured so that a failure is reported as one line, and shown whole with -v.
 */
final class Programs {

    private final Map<String, String> env;
    private final Log log;

    Programs(Map<String, String> env, Log log) {
        this.env = env;
        this.log = log;
    }

    /** The program's path on PATH, or null. */
    Path find(String name) {
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** The program's path, or an error saying how to get it. */
    Path require(String name, String hint) throws ConvertException {
        Path p = find(name);
        if (p == null) throw new ConvertException(name + " not found on PATH", hint);
        return p;
    }

    /** What a program did: its exit status, stdout (when captured) and the tail of its stderr. */
    record Outcome(int exit, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        /** The last non-blank line of stderr, for one-line error messages. */
        String lastError() {
            String[] lines = stderr.strip().split("\n");
            return lines[lines.length - 1].strip();
        }
    }

    /** Runs a command to its end, capturing stdout and stderr; stderr is echoed at -v. */
    Outcome run(List<String> command) throws ConvertException {
        return run(command, null);
    }

    /**
     * Runs a command; its stdout goes to {@code stdout} (captured when null). Killed if this JVM
     * is interrupted or shut down meanwhile, so that no helper outlives a cancelled conversion.
     */
    Outcome run(List<String> command, OutputStream stdout) throws ConvertException {
        log.debug("running: " + String.join(" ", command));
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE);
            pb.environment().clear();
            pb.environment().putAll(env);
            p = pb.start();
        } catch (IOException e) {
            throw new ConvertException("can't run " + command.getFirst() + ": " + e.getMessage());
        }
        Thread reaper = new Thread(p::destroyForcibly, "chj-convert-kill");
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            p.getOutputStream().close();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream(), true));
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            try (InputStream in = p.getInputStream()) {
                in.transferTo(stdout != null ? stdout : captured);
            }
            int exit = p.waitFor();
            return new Outcome(exit, captured.toByteArray(), err.join());
        } catch (IOException | UncheckedIOException e) {
            p.destroyForcibly();
            throw new ConvertException(command.getFirst() + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ConvertException("interrupted while running " + command.getFirst());
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    /** Runs a command that must succeed; the error names it and quotes its last error line. */
    Outcome check(List<String> command) throws ConvertException {
        return check(Path.of(command.getFirst()).getFileName().toString(), command);
    }

    /** {@link #check(List)} for a command run through a wrapper (a shell), named {@code name} in errors. */
    Outcome check(String name, List<String> command) throws ConvertException {
        Outcome o = run(command);
        if (o.exit() != 0) {
            String why = o.stderr().isBlank() ? "exit status " + o.exit() : o.lastError() + " (exit status " + o.exit() + ")";
            throw new ConvertException(name + " failed: " + why);
        }
        return o;
    }

    private String drain(InputStream err, boolean echo) {
        StringBuilder kept = new StringBuilder();
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(err, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (echo) log.verbose(line);
                kept.append(line).append('\n');
                if (kept.length() > 64 * 1024) kept.delete(0, kept.length() - 32 * 1024); // keep the tail
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return kept.toString();
    }
}
