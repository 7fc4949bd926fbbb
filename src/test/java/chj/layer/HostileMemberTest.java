package chj.layer;

import chj.testing.TarBuilder;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Members that try to write outside the image, through links, or over the root. */
class HostileMemberTest {

    @TempDir
    Path tmp;

    private Path root() {
        return tmp.resolve("img");
    }

    @Test
    void dotDotNamesThatEscapeAreRefused() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("../evil", "x").file("a/../../evil2", "x")
                .file("/../evil3", "x").file("./../evil4", "x").dir("../evildir").symlink("../evillink", "/"));
        assertThat(u.tree()).isEmpty();
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("img");
        }
        assertThat(u.warnings).hasSize(6).allMatch(w -> w.contains("climbs out of the image root"));
        assertThat(u.last().rejected()).isEqualTo(6);
    }

    @Test
    void dotDotNamesThatStayInsideAreNormalized() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("a/../b", "b").file("c/./d//e", "e"));
        assertThat(u.read("b")).isEqualTo("b");
        assertThat(u.read("c/d/e")).isEqualTo("e");
        assertThat(u.exists("a")).isFalse();
    }

    @Test
    void absoluteAndDotSlashNamesAreRelativeToTheRoot() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().dir("/").dir("./").dir("/etc").file("/etc/passwd", "root:x:0:0")
                .file("./etc/group", "g").file("//etc///hosts", "h"));
        assertThat(u.tree()).containsExactly("etc", "etc/group", "etc/hosts", "etc/passwd");
        assertThat(u.read("etc/passwd")).isEqualTo("root:x:0:0");
        assertThat(u.warnings).isEmpty();
    }

    @Test
    void emptyNameIsSkipped() throws Exception {
        TarArchiveEntry empty = new TarArchiveEntry("x");
        empty.setName("");
        Unpacked u = Unpacked.layers(root(), new TarBuilder().raw(empty, new byte[0]).file("ok", "ok"));
        assertThat(u.tree()).containsExactly("ok");
        assertThat(u.warnings).singleElement().asString().contains("empty name");
    }

    @Test
    void memberBelowAbsoluteSymlinkIsNeverWrittenThroughIt() throws Exception {
        Path outside = Files.createDirectory(tmp.resolve("etc"));
        Unpacked u = Unpacked.layers(root(), new TarBuilder().symlink("evil", outside.toString()).file("evil/passwd", "pwned")
                .dir("evil/sub").symlink("evil/l", "/x").hardlink("evil/h", "evil"));
        assertThat(outside).isEmptyDirectory();
        assertThat(u.tree()).containsExactly("evil");
        assertThat(u.warnings).hasSize(4).allMatch(w -> w.contains("parent 'evil' is a symbolic link"));
    }

    @Test
    void symlinkFromLowerLayerIsNotFollowedByUpperLayer() throws Exception {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Unpacked u = Unpacked.layers(root(), new TarBuilder().symlink("evil", "../outside").symlink("up", ".."),
                new TarBuilder().file("evil/passwd", "pwned").file("up/img2/x", "pwned").file("up/outside/y", "pwned"));
        assertThat(outside).isEmptyDirectory();
        assertThat(tmp.resolve("img2")).doesNotExist();
        assertThat(u.tree()).containsExactly("evil", "up");
        assertThat(u.last().rejected()).isEqualTo(3);
    }

    @Test
    void symlinkInsideTheImageIsNotFollowedEither() throws Exception {
        // merged-/usr images have lib -> usr/lib; a member lib/x is refused, not written to usr/lib/x
        Unpacked u = Unpacked.layers(root(), new TarBuilder().dir("usr/lib").symlink("lib", "usr/lib"),
                new TarBuilder().file("lib/x", "x"));
        assertThat(u.list("usr/lib")).isEmpty();
        assertThat(u.warnings).singleElement().asString().contains("layer member 'lib/x' skipped").contains("symbolic link");
    }

    @Test
    void deepParentThroughSymlinkIsRefused() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().dir("a/b").symlink("a/b/c", "/").file("a/b/c/d/e/f", "x"));
        assertThat(u.tree()).containsExactly("a", "a/b", "a/b/c");
        assertThat(u.warnings).singleElement().asString().contains("parent 'a/b/c'");
    }

    @Test
    void memberBelowRegularFileIsRefused() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("f", "f").file("f/x", "x"));
        assertThat(u.read("f")).isEqualTo("f");
        assertThat(u.warnings).singleElement().asString().contains("not a directory");
    }

    @Test
    void rootCannotBeReplaced() throws Exception {
        // umoci CVE-2021-29136: a symlink named "." replaced the root and later members went to the host
        Path outside = Files.createDirectory(tmp.resolve("host"));
        Unpacked u = Unpacked.layers(root(), new TarBuilder().symlink(".", outside.toString()).symlink("/", outside.toString())
                .file(".", "x").file("after", "a"));
        assertThat(outside).isEmptyDirectory();
        assertThat(Files.isDirectory(root(), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(u.read("after")).isEqualTo("a");
        assertThat(u.warnings).hasSize(3).allMatch(w -> w.contains("replace the image root"));
    }

    @Test
    void devicesAndFifosAreSkippedWithOneCountedWarning() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().dir("dev").device("dev/null").blockDevice("dev/sda")
                .fifo("run/initctl").file("ok", "ok"));
        assertThat(u.tree()).containsExactly("dev", "ok");
        assertThat(u.last().devicesSkipped()).isEqualTo(3);
        assertThat(u.warnings).singleElement().asString().contains("skipped 3 device").contains("dev/null");
    }

    @Test
    void controlCharactersInNamesDoNotReachTheWarning() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("../bad\nname\u001b[31m", "x"));
        assertThat(u.warnings).singleElement().asString().doesNotContain("\n").doesNotContain("\u001b").contains("bad?name?[31m");
    }

    @Test
    void warningsAreCappedPerLayer() throws Exception {
        TarBuilder layer = new TarBuilder();
        for (int i = 0; i < 50; i++) layer.file("../x" + i, "x");
        Unpacked u = Unpacked.layers(root(), layer);
        assertThat(u.last().rejected()).isEqualTo(50);
        assertThat(u.warnings).hasSize(21);
        assertThat(u.warnings.getLast()).contains("30 more layer members skipped");
    }

    @Test
    void unsupportedTypeIsSkipped() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("vol", "").type('V').file("ok", "ok"));
        assertThat(u.tree()).containsExactly("ok");
        assertThat(u.warnings).singleElement().asString().contains("tar type 'V'");
    }
}
