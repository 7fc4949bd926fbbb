package chj.run;

import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Images the ch-run integration tests share, made once per test JVM: a busybox image directory
 * (the static busybox and its applet links), a SquashFS of it, and a Debian minbase unpacked from
 * the tarball test/run makes with debootstrap. All belong to the test user.
 */
final class RunFixture {
    private RunFixture() {}

    private static Path busybox, squash, debian;
    private static final List<Path> made = new ArrayList<>();

    static {
        // The images are big (Debian: ~300 MB); remove what this JVM made when it ends.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<String> rm = new ArrayList<>(List.of("rm", "-rf", "--"));
            synchronized (made) {
                for (Path p : made) rm.add(p.toString());
            }
            if (rm.size() == 3) return;
            try {   // no TestEnv.run here: its async readers need a thread pool that is shutting down
                new ProcessBuilder(rm).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start().waitFor();
            } catch (IOException | InterruptedException e) {
                // leftovers in /var/tmp; nothing to fail any more
            }
        }));
    }

    /** A fresh directory of the test user's, removed when the test JVM ends. */
    static Path scratch(String prefix) {
        Path d = TestEnv.userDir(prefix);
        synchronized (made) {
            made.add(d);
        }
        return d;
    }
    static final String DEBIAN_TARBALL = "/var/cache/chj-test/debian-bookworm-minbase.tar.gz";

    /** ch-run of the installed copy. */
    static String chRun() {
        return TestEnv.bin("ch-run");
    }

    /** ch-run ARGS as the test user. */
    static Result chRun(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(chRun());
        cmd.addAll(List.of(args));
        return TestEnv.runAsUser(cmd);
    }

    /** A shell script as the test user, with $CH_RUN, $IMG and $SQFS set. */
    static Result sh(String script) {
        return sh(script, Map.of());
    }

    static Result sh(String script, Map<String, String> env) {
        Map<String, String> e = new HashMap<>(env);
        e.put("CH_RUN", chRun());
        e.put("IMG", busybox().toString());
        return TestEnv.runAsUser(List.of("/bin/sh", "-c", script), e, Path.of("/"), null);
    }

    /** ch-run IMG -- sh -c SCRIPT, with extra ch-run options before IMG. */
    static Result inContainer(String script, String... options) {
        List<String> cmd = new ArrayList<>(List.of(options));
        cmd.add(busybox().toString());
        cmd.addAll(List.of("--", "/bin/sh", "-c", script));
        return chRun(cmd.toArray(new String[0]));
    }

    static synchronized Path busybox() {
        if (busybox == null) busybox = makeBusybox(scratch("chj-run-bb-").resolve("img"));
        return busybox;
    }

    static synchronized Path squash() {
        if (squash == null) {
            Path out = scratch("chj-run-sq-").resolve("bb.sqfs");
            Result r = TestEnv.runAsUser(List.of("mksquashfs", busybox().toString(), out.toString(),
                    "-quiet", "-noappend", "-no-progress"));
            assertThat(r.exit()).as(r.toString()).isZero();
            squash = out;
        }
        return squash;
    }

    /** Debian 12 minbase owned by the test user (as ch-image would unpack it). */
    static synchronized Path debian() {
        if (debian == null) {
            assertThat(Path.of(DEBIAN_TARBALL)).as("made by test/run (debootstrap)").exists();
            Path dir = scratch("chj-run-deb-");
            Result r = TestEnv.runAsUser(List.of("tar", "-xzf", DEBIAN_TARBALL, "-C", dir.toString(),
                    "--no-same-owner", "--exclude=./dev/*"));
            assertThat(r.exit()).as(r.toString()).isZero();
            debian = dir;
        }
        return debian;
    }

    /** Makes a busybox image at dir (as the test user, so that it owns it). */
    static Path makeBusybox(Path dir) {
        StringBuilder s = new StringBuilder("set -e\n");
        s.append("d='").append(dir).append("'\n");
        s.append("""
                mkdir -p "$d/bin" "$d/dev" "$d/proc" "$d/sys" "$d/tmp" "$d/etc" "$d/home" "$d/root" \\
                         "$d/mnt" "$d/ch" "$d/usr" "$d/var/spool"
                cp /bin/busybox "$d/bin/busybox"
                for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$d/bin/$a"; done
                ln -s ../bin "$d/usr/bin"
                printf 'root:x:0:0:root:/root:/bin/sh\\nimageuser:x:4242:4242::/:/bin/sh\\n' > "$d/etc/passwd"
                printf 'root:x:0:\\nimagegroup:x:4242:\\n' > "$d/etc/group"
                : > "$d/etc/hosts"
                : > "$d/etc/resolv.conf"
                : > "$d/etc/machine-id"
                printf 'IMG_VAR=from-image\\nIMG_PATH=/opt/x:$PATH\\n' > "$d/ch/environment"
                chmod 1777 "$d/tmp"
                """);
        Result r = TestEnv.runAsUser(List.of("/bin/sh", "-c", s.toString()));
        assertThat(r.exit()).as(r.toString()).isZero();
        return dir;
    }

    static String write(Path p, String content) {
        try {
            Files.writeString(p, content, StandardCharsets.UTF_8);
            return p.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
