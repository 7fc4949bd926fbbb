package chj.convert;

import chj.cli.ConvertMain;
import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the ch-convert tests share: a small busybox image with one of each thing a conversion can
 * get wrong, ch-convert run in this JVM (fast, for the matrix) or through its launcher (for exit
 * statuses and messages), and independent tools (GNU tar, unsquashfs, umoci) to read outputs back.
 */
final class ConvertFixture {

    static final String HARD_A = "usr/lib/chj/data", HARD_B = "usr/lib/chj/data-link";
    static final String LONG = "usr/share/" + "long-directory-name-".repeat(4) + "/" + "file-".repeat(25) + "end";
    static final String UNICODE = "usr/share/na\u00efve-\u65e5\u672c";

    private ConvertFixture() {}

    /**
     * A busybox image at {@code root}: the static busybox with a few applet links, every mount
     * point ch-run needs (so that no conversion has to add any), hard links, a long name, a
     * non-ASCII name, an empty directory, odd modes, absolute and relative symlinks, ch/environment.
     */
    static Path busyboxImage(Path root) {
        try {
            for (String d : List.of("bin", "dev", "etc", "proc", "sys", "tmp", "usr/lib/chj", "var/empty", "ch",
                    LONG.substring(0, LONG.lastIndexOf('/'))))
                Files.createDirectories(root.resolve(d));
            for (String d : MountPoints.DIRECTORIES) Files.createDirectories(root.resolve(d));
            Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
            for (String applet : List.of("sh", "cat", "ls", "echo", "true", "id", "stat"))
                Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
            Files.createSymbolicLink(root.resolve("usr/bin"), Path.of("../bin"));
            Files.createSymbolicLink(root.resolve("etc/abs-link"), Path.of("/etc/passwd"));
            Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
            Files.writeString(root.resolve("etc/hosts"), "");
            Files.writeString(root.resolve("etc/resolv.conf"), "");
            Files.writeString(root.resolve(HARD_A), "linked twice\n");
            Files.createLink(root.resolve(HARD_B), root.resolve(HARD_A));
            Files.writeString(root.resolve(LONG), "a long name\n");
            Files.writeString(root.resolve(UNICODE), "utf-8\n");
            Files.writeString(root.resolve("usr/lib/chj/private"), "0640\n");
            Files.setPosixFilePermissions(root.resolve("usr/lib/chj/private"), PosixFilePermissions.fromString("rw-r-----"));
            Files.writeString(root.resolve("usr/lib/chj/script"), "#!/bin/sh\necho script\n");
            Files.setPosixFilePermissions(root.resolve("usr/lib/chj/script"), PosixFilePermissions.fromString("rwxr-x---"));
            Files.setPosixFilePermissions(root.resolve("usr/lib"), PosixFilePermissions.fromString("rwxr-x---"));
            Files.writeString(root.resolve("ch/environment"), "IMG_VAR=converted\nPATH=/bin:/usr/bin\n");
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** ch-convert in this JVM (quiet); the exit status. */
    static int convertHere(String... args) {
        List<String> all = new ArrayList<>(List.of("-q"));
        all.addAll(List.of(args));
        return ConvertMain.execute(all.toArray(new String[0]));
    }

    /**
     * ch-convert in this JVM with its messages captured, for tests of exit statuses and messages
     * that need no environment of their own (a JVM start per run is seconds on a loaded machine).
     */
    static synchronized Result convertHereCaptured(String... args) {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        int exit;
        try (java.io.PrintStream capture = new java.io.PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            exit = ConvertMain.execute(args);
        } finally {
            System.setErr(saved);
        }
        return new Result(exit, "", err.toString(StandardCharsets.UTF_8));
    }

    /** ch-convert through its launcher, as this process's user. */
    static Result convert(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(TestEnv.bin("ch-convert")));
        cmd.addAll(List.of(args));
        return TestEnv.run(cmd, env, null, null);
    }

    static Result convert(String... args) {
        return convert(Map.of(), args);
    }

    /** Runs a tool that must succeed. */
    static String tool(String... cmd) {
        Result r = TestEnv.run(List.of(cmd));
        assertThat(r.exit()).as(r.toString()).isZero();
        return r.out();
    }

    /**
     * A tarball unpacked by GNU tar. zstd is undone here first: GNU tar needs the zstd program for
     * it, which the test machines need not have.
     */
    static Path untar(Path tarball, Path into) throws IOException {
        Files.createDirectories(into);
        Path plain = tarball;
        if (tarball.toString().endsWith(".zst")) {
            plain = Files.createTempFile(into.getParent(), "unzstd-", ".tar");
            try (var in = chj.layer.Compression.decompress(Files.newInputStream(tarball))) {
                Files.copy(in, plain, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        List<String> cmd = new ArrayList<>(List.of("tar", "-x", "-f", plain.toString(), "-C", into.toString()));
        if (tarball.toString().endsWith(".gz")) cmd.add(1, "-z");
        tool(cmd.toArray(new String[0]));
        if (!plain.equals(tarball)) Files.delete(plain);
        return into;
    }

    /** A SquashFS file unpacked by unsquashfs. */
    static Path unsquash(Path sqfs, Path into) {
        tool("unsquashfs", "-no-progress", "-quiet", "-d", into.toString(), sqfs.toString());
        return into;
    }

    /** An OCI layout (directory or archive) unpacked by umoci; returns the bundle (rootfs/, config.json). */
    static Path umoci(Path layout, String tag, Path bundle, Path scratch) throws IOException {
        Path dir = layout;
        if (Files.isRegularFile(layout)) dir = untar(layout, scratch);
        tool("umoci", "unpack", "--rootless", "--image", dir + ":" + tag, bundle.toString());
        return bundle;
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
