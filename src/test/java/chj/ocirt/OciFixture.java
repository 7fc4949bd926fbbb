package chj.ocirt;

import static org.assertj.core.api.Assertions.assertThat;

import chj.testing.TarBuilder;
import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;
import chj.testing.TestImages;
import chj.testing.TestRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** What the ch-run-oci integration tests share: busybox as a directory and as a registry image. */
final class OciFixture {
    private OciFixture() {}

    static String chRunOci() {
        return TestEnv.bin("ch-run-oci");
    }

    /** Applet names of the host's static busybox. */
    static List<String> applets() {
        Result r = TestEnv.run(List.of("/bin/busybox", "--list"));
        assertThat(r.exit()).as(r.toString()).isZero();
        return r.out().lines().filter(a -> !a.equals("busybox")).toList();
    }

    static final String PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
    static final String GROUP = "root:x:0:\nnogroup:x:65534:\n";

    /** busybox (static, with its applet links), /etc/passwd with root and nobody; owned by the test user. */
    static Path busyboxRootfs(Path dir) {
        String s = "set -e\nd='" + dir + "'\n" + """
                mkdir -p "$d/bin" "$d/etc" "$d/root" "$d/tmp"
                cp /bin/busybox "$d/bin/busybox"
                for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$d/bin/$a"; done
                chmod 1777 "$d/tmp"
                """ + "printf '" + PASSWD.replace("\n", "\\n") + "' > \"$d/etc/passwd\"\n"
                + "printf '" + GROUP.replace("\n", "\\n") + "' > \"$d/etc/group\"\n";
        Result r = TestEnv.runAsUser(List.of("/bin/sh", "-c", s));
        assertThat(r.exit()).as(r.toString()).isZero();
        return dir;
    }

    /** Pushes busybox as a one-layer image; returns its reference. No /proc, /sys or /dev: the runtime makes them. */
    static String pushBusybox(TestRegistry reg, String repo) {
        TarBuilder t = new TarBuilder().dir("bin").dir("etc").dir("root", 0700).dir("tmp", 01777)
                .file("etc/passwd", PASSWD, 0644).file("etc/group", GROUP, 0644);
        try {
            t.file("bin/busybox", Files.readAllBytes(Path.of("/bin/busybox")), 0755);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String a : applets()) t.symlink("bin/" + a, "busybox");
        TestImages.push(reg, repo, "latest", "amd64", null,
                List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), List.of(TestImages.gzip(t)));
        return reg.ref(repo, "latest");
    }

    /** A bundle for rootfs: config.json as Buildah would write it, running args as uid/gid with env in cwd. */
    static Path bundle(Path dir, Path rootfs, int uid, List<String> env, String cwd, List<String> args) {
        StringBuilder j = new StringBuilder("{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"user\":{\"uid\":")
                .append(uid).append(",\"gid\":").append(uid).append("},\"args\":").append(strings(args))
                .append(",\"env\":").append(strings(env)).append(",\"cwd\":\"").append(cwd).append("\"},")
                .append("\"root\":{\"path\":\"").append(rootfs).append("\"},\"mounts\":[")
                .append("{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},")
                .append("{\"destination\":\"/etc/hostname\",\"type\":\"bind\",\"source\":\"").append(dir)
                .append("/hostname\",\"options\":[\"rbind\"]}],")
                .append("\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}]}}");
        write(dir.resolve("hostname"), "oci-test-host\n");
        write(dir.resolve("config.json"), j.toString());
        return dir;
    }

    private static String strings(List<String> l) {
        List<String> q = new ArrayList<>();
        for (String s : l) q.add("\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        return "[" + String.join(",", q) + "]";
    }

    static void write(Path p, String text) {
        try {
            Files.writeString(p, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls until {@code done} (every 50 ms, at most {@code seconds}); false if it never was. */
    static boolean await(int seconds, Supplier<Boolean> done) {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            if (done.get()) return true;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return done.get();
    }
}
