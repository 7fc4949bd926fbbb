package chj.layer;

import chj.testing.TarBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** An entry of another type at an existing path replaces it; only a directory merges into a directory. */
class TypeChangeTest {

    @TempDir
    Path tmp;

    private Path root() {
        return tmp.resolve("img");
    }

    @Test
    void fileBecomesDirectory() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("p", "file"), new TarBuilder().dir("p").file("p/c", "c"));
        assertThat(u.isDir("p")).isTrue();
        assertThat(u.read("p/c")).isEqualTo("c");
    }

    @Test
    void directoryBecomesFileAndItsSubtreeGoes() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("p/a/b", "b").dir("p/ro", 0500).file("p/ro/x", "x", 0400),
                new TarBuilder().file("p", "now a file"));
        assertThat(u.read("p")).isEqualTo("now a file");
        assertThat(u.tree()).containsExactly("p");
    }

    @Test
    void fileBecomesSymlink() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("p", "file"), new TarBuilder().symlink("p", "/target"));
        assertThat(u.linkTarget("p")).isEqualTo("/target");
    }

    @Test
    void symlinkBecomesFileWithoutWritingThroughIt() throws Exception {
        Path outside = Files.writeString(tmp.resolve("victim"), "original");
        Unpacked u = Unpacked.layers(root(), new TarBuilder().symlink("p", outside.toString()),
                new TarBuilder().file("p", "new content"));
        assertThat(u.isFile("p")).isTrue();
        assertThat(u.read("p")).isEqualTo("new content");
        assertThat(Files.readString(outside)).isEqualTo("original");
    }

    @Test
    void symlinkBecomesDirectoryWithoutFollowingIt() throws Exception {
        Path outside = Files.createDirectory(tmp.resolve("victim"));
        Unpacked u = Unpacked.layers(root(), new TarBuilder().symlink("p", outside.toString()),
                new TarBuilder().dir("p").file("p/x", "x"));
        assertThat(u.isDir("p")).isTrue();
        assertThat(u.read("p/x")).isEqualTo("x");
        assertThat(outside).isEmptyDirectory();
    }

    @Test
    void directoryBecomesSymlink() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("usr/lib/x", "x").dir("lib").file("lib/y", "y"),
                new TarBuilder().symlink("lib", "usr/lib"));
        assertThat(u.linkTarget("lib")).isEqualTo("usr/lib");
        assertThat(u.list("usr/lib")).containsExactly("x");
        assertThat(u.tree()).containsExactly("lib", "usr", "usr/lib", "usr/lib/x");
    }

    @Test
    void directoryEntryOnDirectoryMergesAndTakesTheNewMode() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().dir("d", 0700).file("d/old", "o"),
                new TarBuilder().dir("d", 0751).file("d/new", "n"));
        assertThat(u.list("d")).containsExactly("new", "old");
        assertThat(u.mode("d")).isEqualTo(0751);
    }

    @Test
    void symlinkReplacesSymlink() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().symlink("l", "one"), new TarBuilder().symlink("l", "two"));
        assertThat(u.linkTarget("l")).isEqualTo("two");
    }

    @Test
    void duplicateEntriesInOneLayerLastOneWins() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("a", "1").file("a", "2")
                .dir("b").file("b/x", "x").file("b", "file").symlink("c", "x").dir("c"));
        assertThat(u.read("a")).isEqualTo("2");
        assertThat(u.read("b")).isEqualTo("file");
        assertThat(u.isDir("c")).isTrue();
    }

    @Test
    void everyTypeChangeAcrossTwoLayers() throws Exception {
        String[] kinds = {"file", "dir", "symlink", "hardlink"};
        int n = 0;
        for (String from : kinds) {
            for (String to : kinds) {
                Unpacked u = Unpacked.layers(tmp.resolve("t" + n++), add(new TarBuilder().file("src", "src"), from, "from"),
                        add(new TarBuilder(), to, "to"));
                String what = from + " -> " + to;
                switch (to) {
                    case "file" -> assertThat(u.read("p")).as(what).isEqualTo("to");
                    case "dir" -> assertThat(u.list("p")).as(what) // only a directory merges into a directory
                            .isEqualTo(from.equals("dir") ? List.of("child-from", "child-to") : List.of("child-to"));
                    case "symlink" -> assertThat(u.linkTarget("p")).as(what).isEqualTo("target-to");
                    case "hardlink" -> assertThat(u.inode("p")).as(what).isEqualTo(u.inode("src"));
                    default -> throw new AssertionError(to);
                }
                assertThat(u.read("src")).as(what).isEqualTo("src");
                assertThat(u.warnings).as(what).isEmpty();
            }
        }
    }

    private static TarBuilder add(TarBuilder b, String kind, String tag) {
        return switch (kind) {
            case "file" -> b.file("p", tag);
            case "dir" -> b.dir("p").file("p/child-" + tag, tag);
            case "symlink" -> b.symlink("p", "target-" + tag);
            case "hardlink" -> b.hardlink("p", "src");
            default -> throw new AssertionError(kind);
        };
    }
}
