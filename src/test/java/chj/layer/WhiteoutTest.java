package chj.layer;

import chj.testing.TarBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

class WhiteoutTest {

    @TempDir
    Path tmp;

    private Path root() {
        return tmp.resolve("img");
    }

    private static TarBuilder base() {
        return new TarBuilder().dir("etc").file("etc/keep", "k").file("etc/gone", "g")
                .dir("d").file("d/x", "x").dir("d/sub").file("d/sub/y", "y").file("top", "t");
    }

    private static TarBuilder small() {
        return new TarBuilder().file("etc/keep", "k").file("etc/gone", "g").file("d/x", "x").file("d/sub/y", "y");
    }

    @Test
    void plainWhiteoutRemovesLowerFile() throws Exception {
        Unpacked u = Unpacked.layers(root(), base(), new TarBuilder().whiteout("etc/gone"));
        assertThat(u.exists("etc/gone")).isFalse();
        assertThat(u.read("etc/keep")).isEqualTo("k");
        assertThat(u.list("etc")).containsExactly("keep");
        assertThat(u.last().whiteouts()).isEqualTo(1);
        assertThat(u.warnings).isEmpty();
    }

    @Test
    void plainWhiteoutRemovesLowerDirectoryWithSubtree() throws Exception {
        Unpacked u = Unpacked.layers(root(), base(), new TarBuilder().whiteout("d"));
        assertThat(u.exists("d")).isFalse();
        assertThat(u.tree()).containsExactly("etc", "etc/gone", "etc/keep", "top");
    }

    @Test
    void whiteoutRemovesReadOnlyLowerDirectories() throws Exception {
        TarBuilder lower = new TarBuilder().dir("ro", 0555).dir("ro/inner", 0500).file("ro/inner/f", "f", 0400);
        Unpacked u = Unpacked.layers(root(), lower, new TarBuilder().whiteout("ro"));
        assertThat(u.tree()).isEmpty();
    }

    @Test
    void whiteoutOfMissingPathIsHarmless() throws Exception {
        Unpacked u = Unpacked.layers(root(), base(), new TarBuilder().whiteout("nothing/here").whiteout("nope"));
        assertThat(u.tree()).hasSize(8);
        assertThat(u.warnings).isEmpty();
    }

    @Test
    void whiteoutFilesAreNeverWritten() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().whiteout("a").opaque("d").file("d/f", "f").whiteout("d/zz"));
        assertThat(u.tree()).containsExactly("d", "d/f");
    }

    @Test
    void whiteoutInFirstLayerHidesNothingOfItsOwn() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("a", "1").whiteout("a").opaque("").file("b", "2"));
        assertThat(u.tree()).containsExactly("a", "b");
    }

    @Test
    void whiteoutBeforeOwnEntryKeepsTheNewEntry() throws Exception {
        Unpacked u = Unpacked.layers(root(), base(), new TarBuilder().whiteout("etc/gone").file("etc/gone", "new"));
        assertThat(u.read("etc/gone")).isEqualTo("new");
    }

    @Test
    void whiteoutAfterOwnEntryKeepsTheNewEntry() throws Exception {
        Unpacked u = Unpacked.layers(root(), base(), new TarBuilder().file("etc/gone", "new").whiteout("etc/gone"));
        assertThat(u.read("etc/gone")).isEqualTo("new");
    }

    @Test
    void directoryWhiteoutAfterOwnEntriesRemovesOnlyLowerContent() throws Exception {
        Unpacked u = Unpacked.layers(root(), base(),
                new TarBuilder().dir("d").file("d/new", "n").file("d/sub/z", "z").whiteout("d"));
        assertThat(u.tree()).contains("d/new", "d/sub", "d/sub/z").doesNotContain("d/x", "d/sub/y");
    }

    @Test
    void opaqueBeforeEntriesHidesLowerChildren() throws Exception {
        Unpacked u = Unpacked.layers(root(), base(), new TarBuilder().dir("d").opaque("d").file("d/z", "z"));
        assertThat(u.list("d")).containsExactly("z");
        assertThat(u.read("etc/keep")).isEqualTo("k");
    }

    @Test
    void opaqueAfterEntriesKeepsThem() throws Exception {
        Unpacked u = Unpacked.layers(root(), base(), new TarBuilder().dir("d").file("d/z", "z").opaque("d"));
        assertThat(u.list("d")).containsExactly("z");
    }

    @Test
    void opaqueAfterEntriesInSubdirectoriesKeepsThemAndClearsLowerOnesBelow() throws Exception {
        // the layer writes d/sub/new (d/sub merged with the lower d/sub), then makes d opaque:
        // lower d/x and d/sub/y go, d/sub stays for the layer's own d/sub/new
        Unpacked u = Unpacked.layers(root(), base(), new TarBuilder().file("d/sub/new", "n").opaque("d"));
        assertThat(u.tree()).contains("d", "d/sub", "d/sub/new").doesNotContain("d/x", "d/sub/y");
    }

    @Test
    void opaqueRootHidesAllLowerContent() throws Exception {
        Unpacked u = Unpacked.layers(root(), base(), new TarBuilder().file("only", "o").opaque(""));
        assertThat(u.tree()).containsExactly("only");
    }

    @Test
    void opaqueOfMissingDirectoryIsHarmless() throws Exception {
        Unpacked u = Unpacked.layers(root(), base(), new TarBuilder().opaque("nodir").file("nodir/f", "f"));
        assertThat(u.read("nodir/f")).isEqualTo("f");
        assertThat(u.warnings).isEmpty();
    }

    @Test
    void nestedOpaquesInOneLayer() throws Exception {
        TarBuilder lower = new TarBuilder().file("a/b/c/old", "o").file("a/b/old", "o").file("a/old", "o");
        Unpacked u = Unpacked.layers(root(), lower,
                new TarBuilder().file("a/b/c/new", "n").opaque("a/b/c").opaque("a/b").opaque("a").whiteout("a/b/c/new"));
        assertThat(u.tree()).containsExactly("a", "a/b", "a/b/c", "a/b/c/new");
    }

    /** Every order of one layer's entries gives the same tree: a whiteout never hides its own layer. */
    @Test
    void archiveOrderDoesNotMatter() throws Exception {
        List<Consumer<TarBuilder>> entries = List.of(
                b -> b.dir("d"),
                b -> b.file("d/z", "z"),
                b -> b.opaque("d"),
                b -> b.whiteout("d/z"));
        List<String> expected = null;
        int n = 0;
        for (List<Consumer<TarBuilder>> order : permutations(entries)) {
            TarBuilder layer = new TarBuilder();
            order.forEach(e -> e.accept(layer));
            Unpacked u = Unpacked.layers(tmp.resolve("perm" + n++), small(), layer);
            if (expected == null) expected = u.tree();
            assertThat(u.tree()).as("order %d", n).isEqualTo(expected);
            assertThat(u.read("d/z")).isEqualTo("z");
        }
        assertThat(n).isEqualTo(24);
        assertThat(expected).containsExactly("d", "d/z", "etc", "etc/gone", "etc/keep");
    }

    @Test
    void whiteoutThroughSymlinkIsRefused() throws Exception {
        TarBuilder lower = new TarBuilder().file("real/f", "f").symlink("link", "real");
        Unpacked u = Unpacked.layers(root(), lower, new TarBuilder().whiteout("link/f").opaque("link"));
        assertThat(u.read("real/f")).isEqualTo("f");
        assertThat(u.isSymlink("link")).isTrue();
        assertThat(u.warnings).hasSize(2).allMatch(w -> w.contains("symbolic link"));
        assertThat(u.last().rejected()).isEqualTo(2);
    }

    @Test
    void whiteoutOfSymlinkRemovesTheLinkNotItsTarget() throws Exception {
        TarBuilder lower = new TarBuilder().file("real/f", "f").symlink("link", "real");
        Unpacked u = Unpacked.layers(root(), lower, new TarBuilder().whiteout("link"));
        assertThat(u.exists("link")).isFalse();
        assertThat(u.read("real/f")).isEqualTo("f");
    }

    @Test
    void whiteoutWithoutNameIsRefused() throws Exception {
        Unpacked u = Unpacked.layers(root(), base(), new TarBuilder().file("etc/.wh.", "").file("etc/.wh..", "").file(".wh...", ""));
        assertThat(u.tree()).hasSize(8);
        assertThat(u.warnings).hasSize(3).allMatch(w -> w.contains("whiteout without a valid name"));
    }

    @Test
    void aufsMetadataIsDroppedAndItsHardlinkTargetsStillWork() throws Exception {
        TarBuilder layer = new TarBuilder().file(".wh..wh.aufs", "").dir(".wh..wh.orph").dir(".wh..wh.plnk")
                .file(".wh..wh.plnk/1234.5678", "linked").hardlink("bin/tool", ".wh..wh.plnk/1234.5678");
        Unpacked u = Unpacked.layers(root(), layer);
        assertThat(u.tree()).containsExactly("bin", "bin/tool");
        assertThat(u.read("bin/tool")).isEqualTo("linked");
    }

    @Test
    void hardlinkToFileHiddenEarlierInTheSameLayer() throws Exception {
        // the link names the lower etc/gone; the layer's whiteout of it comes first in the archive
        Unpacked u = Unpacked.layers(root(), base(), new TarBuilder().whiteout("etc/gone").hardlink("etc/kept", "etc/gone")
                .whiteout("d").hardlink("saved-y", "d/sub/y"));
        assertThat(u.exists("etc/gone")).isFalse();
        assertThat(u.read("etc/kept")).isEqualTo("g");
        assertThat(u.read("saved-y")).isEqualTo("y");
        assertThat(u.exists("d")).isFalse();
        assertThat(u.list("")).doesNotContain(RootTree.GRAVEYARD);
    }

    @Test
    void hardlinkSurvivesWhiteoutOfItsTargetInALaterLayer() throws Exception {
        Unpacked u = Unpacked.layers(root(), base(), new TarBuilder().hardlink("etc/alias", "etc/gone"),
                new TarBuilder().whiteout("etc/gone"));
        assertThat(u.exists("etc/gone")).isFalse();
        assertThat(u.read("etc/alias")).isEqualTo("g");
    }

    @Test
    void graveyardIsEmptiedAfterEveryLayer() throws Exception {
        Unpacked u = Unpacked.layers(root(), base(), new TarBuilder().whiteout("d").dir("etc").opaque("etc"), new TarBuilder().whiteout("top"));
        assertThat(u.list("")).containsExactly("etc");
    }

    @Test
    void graveyardLeftByAKilledUnpackIsReplaced() throws Exception {
        java.nio.file.Files.createDirectories(root().resolve(RootTree.GRAVEYARD + "/0/stale"));
        Unpacked u = Unpacked.layers(root(), base(), new TarBuilder().whiteout("top"));
        assertThat(u.exists("top")).isFalse();
        assertThat(u.list("")).doesNotContain(RootTree.GRAVEYARD);
    }

    @Test
    void membersUnderTheGraveyardNameAreRefused() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file(RootTree.GRAVEYARD + "/0", "x").file("ok", "ok"));
        assertThat(u.tree()).containsExactly("ok");
        assertThat(u.warnings).singleElement().asString().contains("reserved");
    }

    @Test
    void manyWhiteoutsInLinearTime() throws Exception {
        int n = 1000;
        TarBuilder lower = new TarBuilder(), upper = new TarBuilder();
        for (int i = 0; i < n; i++) {
            lower.file("many/f" + i, "x");
            if (i % 2 == 0) upper.whiteout("many/f" + i);
            else upper.file("many/f" + i, "y");
        }
        upper.opaque("many"); // after all entries: must walk the directory once and keep the layer's own files
        Unpacked u = Unpacked.layers(root(), lower, upper);
        assertThat(u.list("many")).hasSize(n / 2);
        assertThat(u.read("many/f1")).isEqualTo("y");
    }

    private static <T> List<List<T>> permutations(List<T> items) {
        if (items.isEmpty()) return List.of(List.of());
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T first = rest.remove(i);
            for (List<T> p : permutations(rest)) {
                List<T> l = new ArrayList<>();
                l.add(first);
                l.addAll(p);
                out.add(l);
            }
        }
        return out;
    }
}
