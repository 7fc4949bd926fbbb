package chj.image;

import static org.assertj.core.api.Assertions.assertThat;

import chj.testing.TarBuilder;
import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;
import chj.testing.TestImages;
import chj.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ch-image import, reset, gestalt, --version and the progress bar, through the real CLI. */
class ImageCliIT {

    @TempDir
    Path tmp;

    private Result chImage(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(TestEnv.bin("ch-image")));
        cmd.addAll(List.of(args));
        return TestEnv.run(cmd, env, null, null);
    }

    private Result chImage(String... args) {
        return chImage(Map.of(), args);
    }

    @Test
    void importsADirectoryAndTarballsStrippingOneTopDirectory() throws Exception {
        Path store = tmp.resolve("store");
        Path dir = Files.createDirectories(tmp.resolve("tree/etc"));
        Files.writeString(dir.resolve("motd"), "hi");
        Files.createSymbolicLink(tmp.resolve("tree/link"), Path.of("/etc/motd"));
        Result d = chImage("-s", store.toString(), "import", tmp.resolve("tree").toString(), "from-dir");
        assertThat(d.exit()).as(d.toString()).isZero();
        assertThat(store.resolve("img/from-dir/etc/motd")).hasContent("hi");
        assertThat(Files.readSymbolicLink(store.resolve("img/from-dir/link"))).isEqualTo(Path.of("/etc/motd"));

        // "tar czf x.tgz mydir": one top directory, stripped
        Path tgz = tmp.resolve("x.tgz");
        Files.write(tgz, new TarBuilder().dir("mydir").dir("mydir/bin").file("mydir/bin/tool", "t", 0755).gzip());
        Result t = chImage("-s", store.toString(), "import", tgz.toString(), "foo/bar:1.0");
        assertThat(t.exit()).as(t.toString()).isZero();
        assertThat(store.resolve("img/foo%bar+1.0/bin/tool")).hasContent("t");
        assertThat(store.resolve("img/foo%bar+1.0/ch/metadata.json")).exists();

        // a tarbomb of a root file system stays as it is (its single "usr" is not stripped)
        Path zst = tmp.resolve("y.tar.zst");
        Files.write(zst, new TarBuilder().dir("usr").file("usr/x", "x").zstd());
        Result z = chImage("-s", store.toString(), "import", zst.toString(), "bomb");
        assertThat(z.exit()).as(z.toString()).isZero();
        assertThat(store.resolve("img/bomb/usr/x")).hasContent("x");

        Result list = chImage("-s", store.toString(), "list");
        assertThat(list.out().lines()).containsExactly("bomb", "foo/bar:1.0", "from-dir");

        Result missing = chImage("-s", store.toString(), "import", tmp.resolve("nope").toString(), "nope");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("ch-image: error:").contains("nope");
        assertThat(store.resolve("img/nope")).doesNotExist();

        Result bad = chImage("-s", store.toString(), "import", tgz.toString(), "Bad:Name:");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("invalid image reference");
    }

    @Test
    void resetEmptiesAStoreAndRefusesAnythingElse() throws Exception {
        Path store = tmp.resolve("store");
        Path tree = Files.createDirectories(tmp.resolve("t"));
        Files.writeString(tree.resolve("f"), "f");
        assertThat(chImage("-s", store.toString(), "import", tree.toString(), "a").exit()).isZero();
        Result reset = chImage("-s", store.toString(), "reset");
        assertThat(reset.exit()).as(reset.toString()).isZero();
        assertThat(chImage("-s", store.toString(), "list").out()).isEmpty();

        Path foreign = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(foreign.resolve("thesis.tex"), "x");
        Result refused = chImage("-s", foreign.toString(), "reset");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("seems invalid");
        assertThat(foreign.resolve("thesis.tex")).exists();

        Path charliecloud = Files.createDirectories(tmp.resolve("ch"));
        Files.writeString(charliecloud.resolve("version"), "7\n");
        Result ch = chImage("-s", charliecloud.toString(), "list");
        assertThat(ch.exit()).isEqualTo(1);
        assertThat(ch.err()).contains("Charliecloud");
    }

    @Test
    void gestaltVersionAndUsage() {
        Path store = tmp.resolve("env-store");
        Result g = chImage(Map.of("CH_IMAGE_STORAGE", store.toString()), "gestalt", "storage-path");
        assertThat(g.exit()).isZero();
        assertThat(g.out().strip()).isEqualTo(store.toString());
        Result relative = chImage(Map.of("CH_IMAGE_STORAGE", "relative/dir"), "list");
        assertThat(relative.exit()).isEqualTo(1);
        assertThat(relative.err()).contains("absolute");
        Result v = chImage("--version");
        assertThat(v.exit()).isZero();
        assertThat(v.out() + v.err()).contains(chj.Version.VERSION);
        Result none = chImage();
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("sage:");
        Result help = chImage("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("sage:").contains("pull");
        Result badOption = chImage("pull", "--frobnicate", "x");
        assertThat(badOption.exit()).isEqualTo(1);
        assertThat(badOption.err()).contains("ch-image: error: unknown option: --frobnicate")
                .contains("see: ch-image pull --help");
        Result subHelp = chImage("help", "pull");
        assertThat(subHelp.exit()).isZero();
        assertThat(subHelp.out()).contains("Usage: ch-image pull [OPTION...] IMAGE_REF [DEST_REF]").contains("--parallel=N")
                .contains("Global options:").contains("--storage=DIR");
        assertThat(chImage("push", "--help").out()).contains("--compress=ALG");
        // global options go before or after the subcommand; the later copy wins, as in Charliecloud
        Result later = chImage("-s", tmp.resolve("first").toString(), "gestalt", "-v", "storage-path", "-s",
                tmp.resolve("second").toString());
        assertThat(later.exit()).as(later.toString()).isZero();
        assertThat(later.out().strip()).isEqualTo(tmp.resolve("second").toString());
        Result missing = chImage("gestalt");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("missing SELECTOR");
        assertThat(chImage("frob").err()).contains("unknown subcommand: frob");
    }

    @Test
    void aotCacheIsMadeOnFirstUseAndNeverBreaksACommand() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path store = tmp.resolve("store");
        Result first = chImage(Map.of("HOME", home.toString()), "-s", store.toString(), "list");
        assertThat(first.exit()).as(first.toString()).isZero();
        Path cache = home.resolve(".cache/chj");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline && !hasAot(cache)) Thread.sleep(200);
        assertThat(hasAot(cache)).as("trained in the background").isTrue();
        Result cached = chImage(Map.of("HOME", home.toString(), "CHJ_JVM_OPTS", "-Xlog:aot=info"), "-s", store.toString(), "list");
        assertThat(cached.exit()).as(cached.toString()).isZero();
        assertThat(cached.out()).contains("Opened AOT cache").contains("Using AOT-linked classes: true");

        Path off = Files.createDirectories(tmp.resolve("off"));
        assertThat(chImage(Map.of("HOME", off.toString(), "CHJ_AOT", "0"), "-s", store.toString(), "list").exit()).isZero();
        Thread.sleep(500);
        assertThat(off.resolve(".cache")).doesNotExist();
        // a cache directory that can't be made (a file in the way): the command still works
        Path blocked = Files.createDirectories(tmp.resolve("blocked"));
        Files.writeString(blocked.resolve(".cache"), "not a directory");
        assertThat(chImage(Map.of("HOME", blocked.toString()), "-s", store.toString(), "list").exit()).isZero();
    }

    private static boolean hasAot(Path cache) throws java.io.IOException {
        if (!Files.isDirectory(cache)) return false;
        try (var s = Files.list(cache)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("ch-image-") && p.toString().endsWith(".aot"));
        }
    }

    @Test
    void progressBarOnATerminalOnly() throws Exception {
        TestRegistry reg = TestRegistry.local();
        String repo = TestRegistry.uniqueRepo("progress");
        byte[] big = new byte[4 << 20];
        new java.util.Random(1).nextBytes(big);
        TestImages.push(reg, repo, "t", "amd64", null, List.of(), List.of(TestImages.gzip(new TarBuilder().file("big", big))));
        String cmd = TestEnv.bin("ch-image") + " -s " + tmp.resolve("s1") + " pull " + reg.ref(repo, "t");
        // script(1) gives the command a pseudo-terminal, as an interactive user has
        Result tty = TestEnv.run(List.of("script", "-qec", cmd, "/dev/null"), Map.of("TERM", "xterm"), null, null);
        assertThat(tty.exit()).as(tty.toString()).isZero();
        assertThat(tty.out()).contains("downloading:").contains("MiB");
        Result pipe = TestEnv.run(List.of("sh", "-c", cmd.replace("s1", "s2")));
        assertThat(pipe.exit()).isZero();
        assertThat(pipe.out() + pipe.err()).doesNotContain("downloading:");
    }
}
