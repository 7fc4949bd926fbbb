package chj.registry;

import chj.json.JsonTree;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs Docker's credential-helper protocol: {@code docker-credential-NAME get} with the server URL
 * on standard input answers {@code {"ServerURL":…,"Username":…,"Secret":…}} on standard output.
 */
final class CredentialHelper {

    private static final long TIMEOUT_SECONDS = 60;

    private final String name;
    private final Map<String, String> env;

    CredentialHelper(String name, Map<String, String> env) {
        this.name = name;
        this.env = env;
    }

    String program() {
        return "docker-credential-" + name;
    }

    /**
     * Asks the helper. Empty when it has nothing for the server; throws when the helper is missing
     * or fails (the chain decides whether that is fatal). Messages never include the helper's stdout,
     * which may hold a secret.
     */
    Optional<Credential> get(String serverUrl) throws RegistryException {
        Path exe = findOnPath(program())
                .orElseThrow(() -> new RegistryException("credential helper " + program() + " not found on PATH"));
        ProcessBuilder pb = new ProcessBuilder(exe.toString(), "get");
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.redirectErrorStream(false);
        try {
            Process p = pb.start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readQuietly(p.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readQuietly(p.getErrorStream()));
            try (var in = p.getOutputStream()) {
                in.write(serverUrl.getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // a helper that exits without reading stdin still gets its exit status judged below
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RegistryException("credential helper " + program() + " timed out after " + TIMEOUT_SECONDS + " s");
            }
            String stdout = new String(out.join(), StandardCharsets.UTF_8).trim();
            String stderr = new String(err.join(), StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                // The protocol's "no credentials" answer is this text, on stdout or stderr.
                if ((stdout + stderr).toLowerCase().contains("credentials not found")) return Optional.empty();
                throw new RegistryException("credential helper " + program() + " failed with exit status "
                        + p.exitValue() + (stderr.isEmpty() ? "" : ": " + firstLine(stderr)));
            }
            JsonNode doc;
            try {
                doc = JsonTree.read(stdout);
            } catch (IOException e) {
                throw new RegistryException("credential helper " + program() + " printed something other than JSON");
            }
            String user = doc.path("Username").asText("");
            String secret = doc.path("Secret").asText("");
            if (secret.isEmpty()) return Optional.empty();
            return Optional.of(new Credential(user, secret, program()));
        } catch (IOException e) {
            throw new RegistryException("credential helper " + program() + " could not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while running credential helper " + program(), e);
        }
    }

    private Optional<Path> findOnPath(String program) {
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static byte[] readQuietly(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
