package chj.convert;

import chj.oci.Reference;
import chj.testing.TreeDigest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static chj.convert.ConvertFixture.convertHere;
import static chj.convert.ConvertFixture.read;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every pair of formats: a small image is put into each format once, then converted from each to
 * each other one, and the result, read back by an independent tool (GNU tar, unsquashfs, umoci) or
 * straight from the directory, must be the same tree as the original: same paths, types, modes,
 * contents and link targets, hard links still links, and the environment kept.
 */
class ConvertMatrixIT {

    @TempDir
    static Path work;

    static Path store;
    static Map<String, String> original;

    /** One way to hold an image: its format's descriptor for a given name, and how to read it back as a tree. */
    enum Kind {
        CH_IMAGE("ch-image", false), DIR("dir", false), TAR_GZ("tar", false), TAR_ZST("tar", false),
        SQUASH("squash", false), OCI_DIR("oci", true), OCI_TAR("oci", true);

        final String format;
        final boolean oci;

        Kind(String format, boolean oci) {
            this.format = format;
            this.oci = oci;
        }

        String descriptor(String name) {
            return switch (this) {
                case CH_IMAGE -> name + ":t";
                case DIR -> work.resolve(name).toString();
                case TAR_GZ -> work.resolve(name + ".tar.gz").toString();
                case TAR_ZST -> work.resolve(name + ".tar.zst").toString();
                case SQUASH -> work.resolve(name + ".sqfs").toString();
                case OCI_DIR -> work.resolve(name + ".oci") + ":t";
                case OCI_TAR -> work.resolve(name + ".oci.tar") + ":t";
            };
        }

        Path path(String name) {
            return OciPath.parse(descriptor(name)).path();
        }

        /** The image as a directory tree, unpacked by a tool other than chj where there is a format to unpack. */
        Path readBack(String name) throws IOException {
            Path back = work.resolve("back-" + name);
            return switch (this) {
                case CH_IMAGE -> store.resolve("img").resolve(Reference.parse(descriptor(name)).storeName());
                case DIR -> Path.of(descriptor(name));
                case TAR_GZ, TAR_ZST -> ConvertFixture.untar(path(name), back);
                case SQUASH -> ConvertFixture.unsquash(path(name), back);
                case OCI_DIR, OCI_TAR -> ConvertFixture.umoci(path(name), "t", back,
                        work.resolve("layout-" + name)).resolve("rootfs");
            };
        }
    }

    @BeforeAll
    static void inputs() throws IOException {
        store = work.resolve("store");
        Path src = ConvertFixture.busyboxImage(work.resolve("src"));
        original = TreeDigest.of(src, Set.of("ch"));
        for (Kind k : Kind.values()) {
            if (k == Kind.DIR) continue;
            assertThat(convertHere("-s", store.toString(), "-i", "dir", "-o", k.format, src.toString(), k.descriptor("in")))
                    .as("dir → " + k).isZero();
        }
        Files.move(src, Kind.DIR.path("in"));
    }

    @TestFactory
    List<DynamicTest> everyPairGivesTheSameTree() {
        List<DynamicTest> tests = new ArrayList<>();
        AtomicInteger n = new AtomicInteger();
        for (Kind in : Kind.values()) {
            for (Kind out : Kind.values()) {
                if (in.format.equals(out.format)) continue;
                tests.add(DynamicTest.dynamicTest(in + " → " + out, () -> {
                    String name = "out" + n.incrementAndGet();
                    assertThat(convertHere("-s", store.toString(), "-i", in.format, "-o", out.format,
                            in.descriptor("in"), out.descriptor(name))).as(in + " → " + out).isZero();
                    Path tree = out.readBack(name);
                    assertThat(TreeDigest.of(tree, Set.of("ch"))).isEqualTo(original);
                    assertThat(Files.isSameFile(tree.resolve(ConvertFixture.HARD_A), tree.resolve(ConvertFixture.HARD_B)))
                            .as("hard link kept").isTrue();
                    if (out.oci) {
                        // the environment lives in the config; umoci puts it in the bundle's config
                        assertThat(read(tree.resolveSibling("config.json"))).contains("IMG_VAR=converted");
                        assertThat(tree.resolve("ch")).doesNotExist();
                    } else {
                        assertThat(read(tree.resolve("ch/environment")).lines()).contains("IMG_VAR=converted");
                    }
                }));
            }
        }
        return tests;
    }
}
