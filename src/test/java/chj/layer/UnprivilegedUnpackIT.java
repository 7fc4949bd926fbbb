package chj.layer;

import chj.testing.TarBuilder;
import chj.testing.TestEnv;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Root ignores permission bits, so the unit tests cannot see whether an ordinary user could apply
 * these layers. Here the unpacker runs as the unprivileged test user on layers full of read-only
 * directories and files, which it must still fill, replace, white out and, in the end, delete.
 */
class UnprivilegedUnpackIT {

    private final List<Path> cleanup = new ArrayList<>();

    @AfterEach
    void clean() throws IOException {
        for (Path p : cleanup) TestEnv.run(List.of("rm", "-rf", p.toString()));
    }

    private static List<TarBuilder> layers() {
        TarBuilder base = new TarBuilder()
                .dir("ro", 0555).dir("ro/inner", 0500).file("ro/inner/secret", "s", 0400).file("ro/file", "f", 0444)
                .dir("locked", 0).file("locked/child", "c", 0).dir("locked/sub", 0).file("locked/sub/deep", "d", 0)
                .dir("opq", 0555).dir("opq/ro", 0500).file("opq/ro/old", "old", 0400)
                .dir("becomes-file", 0500).dir("becomes-file/ro", 0500).file("becomes-file/ro/x", "x", 0400)
                .file("hl-target", "shared", 0400).file("setuid", "x", 04755);
        TarBuilder upper = new TarBuilder()
                .whiteout("ro/inner").file("ro/file", "replaced", 0444).file("ro/new", "n", 0400)
                .opaque("opq").file("opq/fresh", "fresh", 0444)
                .file("becomes-file", "now a file", 0444)
                .hardlink("locked/link", "hl-target").whiteout("hl-target");
        TarBuilder top = new TarBuilder().file("locked/sub/late", "late", 0400).dir("ro/inner", 0500).file("ro/inner/again", "a", 0400);
        return List.of(base, upper, top);
    }

    @Test
    void unprivilegedUserUnpacksAndDeletesReadOnlyTrees() throws Exception {
        Path install = TestEnv.install();
        Path work = Files.createTempDirectory(Path.of("/tmp"), "chj-unpack-it-");
        cleanup.add(work);
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        // the test's own main class, readable by the test user
        Path classes = Files.createDirectories(work.resolve("classes/chj/layer"));
        Files.copy(Path.of("target/test-classes/chj/layer/UnpackMain.class"), classes.resolve("UnpackMain.class"),
                StandardCopyOption.COPY_ATTRIBUTES);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", work.resolve("classes") + ":" + install.resolve("target/chj.jar") + ":" + install.resolve("target/lib") + "/*",
                "chj.layer.UnpackMain"));
        Path images = TestEnv.userDir("chj-unpack-it-");
        cleanup.add(images);
        Path root = images.resolve("img");
        cmd.add(root.toString());
        int i = 0;
        for (TarBuilder layer : layers()) {
            Path file = work.resolve("layer" + i++ + ".tar.gz");
            Files.write(file, layer.gzip());
            cmd.add(file.toString());
        }
        try (var s = Files.walk(work)) {
            s.forEach(p -> p.toFile().setReadable(true, false));
        }

        TestEnv.Result r = TestEnv.runAsUser(cmd);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).doesNotContain("error");

        Unpacked t = Unpacked.existing(root);
        assertThat(t.list("ro")).containsExactly("file", "inner", "new");
        assertThat(t.list("ro/inner")).containsExactly("again");
        assertThat(t.read("ro/file")).isEqualTo("replaced");
        assertThat(t.list("opq")).containsExactly("fresh");
        assertThat(t.read("becomes-file")).isEqualTo("now a file");
        assertThat(t.read("locked/link")).isEqualTo("shared");
        assertThat(t.read("locked/sub/late")).isEqualTo("late");
        assertThat(t.exists("hl-target")).isFalse();
        assertThat(t.mode("setuid")).isEqualTo(0755);
        assertThat(t.mode("ro")).isEqualTo(0755);
        assertThat(t.mode("locked")).isEqualTo(0700);
        assertThat(t.mode("ro/file")).isEqualTo(0644);
        if (TestEnv.testUser() != null) {
            Object uid = Files.getAttribute(images, "unix:uid");
            try (var s = Files.walk(root)) {
                for (Path p : (Iterable<Path>) s::iterator)
                    assertThat(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).as(p.toString()).isEqualTo(uid);
            }
        }

        // the user can always manage the tree: rm -rf as that user leaves nothing behind
        TestEnv.Result rm = TestEnv.runAsUser(List.of("rm", "-rf", root.toString()));
        assertThat(rm.exit()).as(rm.toString()).isZero();
        assertThat(root).doesNotExist();
    }
}
