package chj.ocirt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run for create's AOT cache (bin/ch-run-oci runs it once per jar and JDK, with
 * -XX:AOTCacheOutput): a {@code create} of a container shaped like Buildah's, in a scratch
 * directory, with a stand-in for the holder that says it is ready and waits to be killed. So the
 * cache holds what a real create loads (the JSON parser, the mapping, the state files, the
 * process start) and a real create starts in about half the time.
 */
public final class Training {
    private Training() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("chj-oci-training-");
        try {
            Path bundle = dir.resolve("bundle");
            Files.createDirectories(bundle.resolve("mnt/rootfs/etc"));
            Files.writeString(bundle.resolve("mnt/rootfs/etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
            for (String f : List.of("hosts", "hostname", "resolv.conf")) Files.writeString(bundle.resolve(f), "\n");
            Files.writeString(bundle.resolve("config.json"), Json.write(config(bundle), false));
            Path holder = Files.createDirectories(dir.resolve("home/bin")).resolve("ch-run-oci");
            Files.writeString(holder, ": > \"$2/ready\"\nexec sleep 60\n");
            Files.setPosixFilePermissions(holder, PosixFilePermissions.fromString("rwxr-xr-x"));
            RuntimeLog log = RuntimeLog.open(dir.resolve("log").toString(), RuntimeLog.Format.JSON, true);
            Main.Globals g = new Main.Globals(dir.resolve("state"), null, RuntimeLog.Format.JSON, true);
            Main.create(g, List.of("--bundle", bundle.toString(), "--pid-file", bundle.resolve("pid").toString(), "train"),
                    dir.resolve("home"), log);
            long pid = Long.parseLong(Files.readString(bundle.resolve("pid")));
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            Features.json();
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
            } catch (IOException e) {
                // a scratch directory in /tmp: never mind
            }
        }
    }

    /** A config.json with the parts Buildah's have. */
    private static Map<String, Object> config(Path bundle) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("ociVersion", "1.0.2-dev");
        c.put("process", Map.of("user", Map.of("uid", 0L, "gid", 0L, "additionalGids", List.of(0L)),
                "args", List.of("/bin/sh", "-c", "true"), "env", List.of("PATH=/bin", "HOSTNAME=train"), "cwd", "/",
                "capabilities", Map.of("bounding", List.of("CAP_CHOWN")),
                "rlimits", List.of(Map.of("type", "RLIMIT_NOFILE", "hard", 1024L, "soft", 1024L))));
        c.put("root", Map.of("path", bundle.resolve("mnt/rootfs").toString()));
        c.put("hostname", "train");
        c.put("mounts", List.of(Map.of("destination", "/proc", "type", "proc", "source", "proc"),
                Map.of("destination", "/etc/hosts", "type", "bind", "source", bundle.resolve("hosts").toString(),
                        "options", List.of("rbind")),
                Map.of("destination", "/etc/hostname", "type", "bind", "source", bundle.resolve("hostname").toString(),
                        "options", List.of("rbind", "ro"))));
        c.put("linux", Map.of("namespaces", List.of(Map.of("type", "pid"), Map.of("type", "network"), Map.of("type", "mount")),
                "seccomp", Map.of("defaultAction", "SCMP_ACT_ERRNO"), "maskedPaths", List.of("/proc/kcore")));
        return c;
    }
}
