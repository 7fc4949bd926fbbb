package chj.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the integration tests share: the loopback registry, the unprivileged test user, and a copy
 * of the built chj that this user can read. test/run sets the environment variables below.
 *
 * <ul>
 *   <li>{@code CHJ_TEST_REGISTRY}: host:port of a plain-HTTP registry on loopback.</li>
 *   <li>{@code CHJ_TEST_USER}: the unprivileged user runtime tests run as, when the suite runs as root.</li>
 * </ul>
 */
public final class TestEnv {

    private static Path install;

    private TestEnv() {}

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** host:port of the loopback test registry; fails the test when test/run did not start one. */
    public static String registry() {
        String r = System.getenv("CHJ_TEST_REGISTRY");
        if (r == null || r.isEmpty())
            throw new IllegalStateException("CHJ_TEST_REGISTRY is not set: run the suite with test/run");
        return r;
    }

    /** The unprivileged user to run containers as, or null when the suite already runs unprivileged. */
    public static String testUser() {
        if (!isRoot()) return null;
        String u = System.getenv("CHJ_TEST_USER");
        if (u == null || u.isEmpty())
            throw new IllegalStateException("running as root but CHJ_TEST_USER is not set: run the suite with test/run");
        return u;
    }

    /**
     * A copy of bin/ and target/{chj.jar,lib} in a world-readable directory, so that the test user
     * can run it wherever the checkout lives (CI clones under root-only directories).
     */
    public static synchronized Path install() {
        if (install != null) return install;
        try {
            Path top = Path.of("").toAbsolutePath();
            Path jar = top.resolve("target/chj.jar");
            if (!Files.exists(jar)) throw new IllegalStateException(jar + " missing: integration tests run after 'package'");
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "chj-install-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            copyTree(top.resolve("bin"), dir.resolve("bin"));
            copyTree(top.resolve("target/lib"), dir.resolve("target/lib"));
            Files.copy(jar, dir.resolve("target/chj.jar"));
            install = dir;
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Path of an installed command, e.g. {@code bin("ch-run")}. */
    public static String bin(String command) {
        return install().resolve("bin").resolve(command).toString();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
                Files.setPosixFilePermissions(t, PosixFilePermissions.fromString(
                        Files.isDirectory(p) || Files.isExecutable(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    /** Outcome of a command. */
    public record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs a command as this process's user. */
    public static Result run(List<String> cmd, Map<String, String> env, Path cwd, byte[] stdin) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            if (cwd != null) pb.directory(cwd.toFile());
            if (env != null) pb.environment().putAll(env);
            Process p = pb.start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            try (var in = p.getOutputStream()) {
                if (stdin != null) in.write(stdin);
            }
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Result run(List<String> cmd) {
        return run(cmd, null, null, null);
    }

    /**
     * Runs a command as the unprivileged test user (directly when the suite is unprivileged).
     * env entries are passed through {@code env(1)} so they survive runuser; the user's HOME and USER
     * are set as a login would.
     */
    public static Result runAsUser(List<String> cmd, Map<String, String> env, Path cwd, byte[] stdin) {
        String user = testUser();
        if (user == null) return run(cmd, env, cwd, stdin);
        List<String> full = new ArrayList<>(List.of("runuser", "-u", user, "--", "env"));
        full.add("USER=" + user);
        full.add("HOME=" + userHome(user));
        if (env != null) env.forEach((k, v) -> full.add(k + "=" + v));
        full.addAll(cmd);
        return run(full, null, cwd, stdin);
    }

    public static Result runAsUser(List<String> cmd) {
        return runAsUser(cmd, null, null, null);
    }

    /** The test user's home directory, from getent. */
    public static String userHome(String user) {
        Result r = run(List.of("getent", "passwd", user));
        String[] f = r.out().trim().split(":");
        if (r.exit() != 0 || f.length < 6) throw new IllegalStateException("no such user: " + user);
        return f[5];
    }

    /** Makes a fresh directory that the test user owns (for stores and images used by ch-run). */
    public static Path userDir(String prefix) {
        try {
            Path d = Files.createTempDirectory(Path.of("/var/tmp"), prefix);
            String user = testUser();
            if (user != null) {
                Result r = run(List.of("chown", user + ":", d.toString()));
                if (r.exit() != 0) throw new IllegalStateException("chown failed: " + r);
            }
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
