package chj.layer;

import chj.testing.OciLayout;
import chj.testing.TarBuilder;
import chj.testing.TestEnv;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The same multi-layer image unpacked by umoci (the reference rootless OCI unpacker) and by
 * LayerUnpacker gives the same tree: names, types, content, symlink targets, hard link groups,
 * and modes modulo flattening.
 */
class UmociInteropIT {

    @TempDir
    Path tmp;

    @BeforeAll
    static void umociInstalled() {
        assumeThat(TestEnv.run(List.of("sh", "-c", "command -v umoci")).exit()).as("umoci installed").isZero();
    }

    /** Layers as Docker/BuildKit write them: PAX, directories before their contents, whiteouts beside them. */
    private static List<TarBuilder> image() {
        TarBuilder base = new TarBuilder()
                .dir("bin").file("bin/busybox", "busybox binary", 0755).hardlink("bin/sh", "bin/busybox")
                .symlink("bin/ls", "busybox").symlink("bin/abs", "/bin/busybox").symlink("bin/dangling", "../nowhere")
                .dir("etc").file("etc/passwd", "root:x:0:0::/root:/bin/sh\n").file("etc/shadow", "root:*:\n", 0600)
                .file("etc/gone", "to be whited out").dir("etc/conf.d").file("etc/conf.d/a", "a").file("etc/conf.d/b", "b")
                .dir("usr").dir("usr/lib").file("usr/lib/libc.so", "libc", 0755).dir("lib").file("lib/old", "old")
                .dir("var").dir("var/cache", 0700).dir("var/cache/apt").file("var/cache/apt/pkgcache.bin", "cache")
                .dir("var/cache/apt/archives").file("var/cache/apt/archives/x.deb", "deb")
                .dir("srv", 0555).file("srv/ro-file", "ro", 0444).file("sbin-su", "su", 04755)
                .dir("tmp", 01777).file("to-dir", "file first").symlink("to-file", "bin/busybox");
        TarBuilder upper = new TarBuilder()
                .dir("etc").whiteout("etc/gone").whiteout("etc/conf.d")
                .file("etc/passwd", "root:x:0:0::/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n")
                .dir("var/cache/apt").opaque("var/cache/apt").file("var/cache/apt/new.bin", "new")
                .symlink("lib", "usr/lib").dir("to-dir").file("to-dir/child", "child").file("to-file", "now a file")
                .hardlink("bin/sh2", "bin/busybox").dir("home/user").file("home/user/.profile", "PATH=/bin\n", 0640);
        TarBuilder top = new TarBuilder()
                .whiteout("bin/busybox").dir("etc").dir("etc/conf.d").file("etc/conf.d/c", "c")
                .file("srv/late", "late").dir("home", 0711);
        return List.of(base, upper, top);
    }

    @Test
    void treeMatchesUmoci() throws Exception {
        Path layout = tmp.resolve("layout");
        OciLayout.write(layout, "test", image());
        Path bundle = tmp.resolve("bundle");
        TestEnv.Result r = TestEnv.run(List.of("umoci", "unpack", "--rootless", "--image", layout + ":test", bundle.toString()));
        assertThat(r.exit()).as(r.toString()).isZero();

        Path ours = tmp.resolve("ours");
        LayerUnpacker unpacker = new LayerUnpacker(ours, w -> {});
        for (TarBuilder layer : image()) unpacker.apply(layer.stream());
        unpacker.finish();

        Map<String, String> expected = TreeDescription.of(bundle.resolve("rootfs"));
        assertThat(TreeDescription.of(ours)).isEqualTo(expected);
        // the image is not trivial: the rules above were exercised
        assertThat(expected).containsKeys("bin/sh", "etc/conf.d/c", "var/cache/apt/new.bin", "to-dir/child")
                .doesNotContainKeys("bin/busybox", "etc/gone", "etc/conf.d/a", "var/cache/apt/pkgcache.bin");
        assertThat(expected.get("bin/sh")).contains("linked with [bin/sh, bin/sh2]");
        assertThat(Files.readSymbolicLink(ours.resolve("lib"))).isEqualTo(Path.of("usr/lib"));
    }
}
