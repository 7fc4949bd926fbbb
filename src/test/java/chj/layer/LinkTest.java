package chj.layer;

import chj.testing.TarBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class LinkTest {

    @TempDir
    Path tmp;

    private Path root() {
        return tmp.resolve("img");
    }

    @Test
    void hardlinkInSameLayerSharesTheInode() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("bin/a", "data", 0755).hardlink("bin/b", "bin/a"));
        assertThat(u.inode("bin/b")).isEqualTo(u.inode("bin/a"));
        assertThat(u.read("bin/b")).isEqualTo("data");
        assertThat(u.attrs("bin/a").isRegularFile()).isTrue();
        assertThat(u.last().hardlinks()).isEqualTo(1);
    }

    @Test
    void hardlinkToLowerLayerFile() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("a", "lower"), new TarBuilder().hardlink("sub/b", "a"));
        assertThat(u.inode("sub/b")).isEqualTo(u.inode("a"));
    }

    @Test
    void absoluteHardlinkTargetIsInsideTheImage() throws Exception {
        // kaniko writes absolute hard link targets
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("/usr/bin/x", "x").hardlink("/usr/bin/y", "/usr/bin/x")
                .hardlink("./usr/bin/z", "./usr/bin/x"));
        assertThat(u.inode("usr/bin/y")).isEqualTo(u.inode("usr/bin/x"));
        assertThat(u.inode("usr/bin/z")).isEqualTo(u.inode("usr/bin/x"));
    }

    @Test
    void hardlinkChainAcrossLayers() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("a", "1").hardlink("b", "a"),
                new TarBuilder().hardlink("c", "b"), new TarBuilder().whiteout("a").whiteout("b"));
        assertThat(u.tree()).containsExactly("c");
        assertThat(u.read("c")).isEqualTo("1");
    }

    @Test
    void hardlinkEscapingTheRootIsRefused() throws Exception {
        Path outside = Files.writeString(tmp.resolve("secret"), "secret");
        Unpacked u = Unpacked.layers(root(), new TarBuilder().hardlink("pw", "../../etc/passwd").hardlink("s", "../secret")
                .file("ok", "ok"));
        assertThat(u.tree()).containsExactly("ok");
        assertThat(u.warnings).hasSize(2).allMatch(w -> w.contains("climbs out of the image root"));
        assertThat(Files.readAttributes(outside, "unix:nlink").get("nlink")).isEqualTo(1);
    }

    @Test
    void hardlinkThroughSymlinkIsRefused() throws Exception {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("passwd"), "secret");
        Unpacked u = Unpacked.layers(root(), new TarBuilder().symlink("evil", outside.toString()).symlink("rel", "../outside")
                .hardlink("pw", "evil/passwd").hardlink("pw2", "rel/passwd"));
        assertThat(u.tree()).containsExactly("evil", "rel");
        assertThat(u.warnings).hasSize(2).allMatch(w -> w.contains("behind a symbolic link"));
    }

    @Test
    void hardlinkToDirectoryOrMissingFileIsRefused() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().dir("d").hardlink("l1", "d").hardlink("l2", "nothing")
                .hardlink("l3", "").hardlink("l4", "l4"));
        assertThat(u.tree()).containsExactly("d");
        assertThat(u.warnings).hasSize(4);
        assertThat(u.warnings.get(0)).contains("is a directory");
        assertThat(u.warnings.get(1)).contains("does not exist");
        assertThat(u.last().rejected()).isEqualTo(4);
    }

    @Test
    void hardlinkToSymlinkLinksTheSymlinkItself() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().symlink("s", "/etc/passwd").hardlink("h", "s"));
        assertThat(u.isSymlink("h")).isTrue();
        assertThat(u.linkTarget("h")).isEqualTo("/etc/passwd");
        assertThat(u.inode("h")).isEqualTo(u.inode("s"));
    }

    @Test
    void replacingAHardlinkedFileLeavesTheOtherLinkAlone() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("a", "old").hardlink("b", "a"),
                new TarBuilder().file("a", "new"));
        assertThat(u.read("a")).isEqualTo("new");
        assertThat(u.read("b")).isEqualTo("old");
        assertThat(u.inode("a")).isNotEqualTo(u.inode("b"));
    }

    @Test
    void hardlinkReplacesAnExistingEntry() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("a", "a").file("b", "b").dir("c").file("c/x", "x"),
                new TarBuilder().hardlink("b", "a").hardlink("c", "a"));
        assertThat(u.inode("b")).isEqualTo(u.inode("a"));
        assertThat(u.inode("c")).isEqualTo(u.inode("a"));
    }

    @Test
    void hardlinkBelowItselfIsRefused() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("d/x", "x"), new TarBuilder().hardlink("d", "d/x"));
        assertThat(u.read("d/x")).isEqualTo("x");
        assertThat(u.warnings).singleElement().asString().contains("below itself");
    }

    @Test
    void symlinksAreStoredExactlyAsGiven() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder()
                .symlink("abs", "/etc/passwd").symlink("dangling", "no/such/file").symlink("climb", "../../../../etc/shadow")
                .symlink("usr/lib/rel", "../../lib").symlink("dot", ".").symlink("dots", ".."));
        assertThat(u.linkTarget("abs")).isEqualTo("/etc/passwd");
        assertThat(u.linkTarget("dangling")).isEqualTo("no/such/file");
        assertThat(u.linkTarget("climb")).isEqualTo("../../../../etc/shadow");
        assertThat(u.linkTarget("usr/lib/rel")).isEqualTo("../../lib");
        assertThat(u.linkTarget("dot")).isEqualTo(".");
        assertThat(u.linkTarget("dots")).isEqualTo("..");
        assertThat(u.last().symlinks()).isEqualTo(6);
    }

    @Test
    void symlinkMtimeIsTheLinksOwn() throws Exception {
        Path outside = Files.writeString(tmp.resolve("target"), "t");
        long before = Files.getLastModifiedTime(outside).toMillis();
        Unpacked u = Unpacked.layers(root(), new TarBuilder().symlink("s", outside.toString()).mtime(1_000_000));
        assertThat(u.mtime("s")).isEqualTo(1_000_000);
        assertThat(Files.getLastModifiedTime(outside).toMillis()).isEqualTo(before);
    }

    @Test
    void emptySymlinkTargetIsRefused() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().symlink("s", ""));
        assertThat(u.tree()).isEmpty();
        assertThat(u.warnings).singleElement().asString().contains("empty");
    }
}
