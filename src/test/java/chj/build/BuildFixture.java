package chj.build;

import chj.testing.TarBuilder;
import chj.testing.TestEnv;
import chj.testing.TestImages;
import chj.testing.TestRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A busybox base image in the loopback registry, and ch-image build run as the test user. */
final class BuildFixture {

    private static String busybox;

    private BuildFixture() {}

    /** {@code host:port/repo:1} of a busybox image (static busybox and its applet symlinks), pushed once. */
    static synchronized String busybox() {
        if (busybox != null) return busybox;
        try {
            TarBuilder t = new TarBuilder().dir("bin").dir("etc").dir("tmp", 01777).dir("root");
            t.file("bin/busybox", Files.readAllBytes(Path.of("/bin/busybox")), 0755);
            String list = TestEnv.run(List.of("/bin/busybox", "--list")).out();
            for (String a : list.split("\n"))
                if (!a.isBlank() && !a.equals("busybox")) t.symlink("bin/" + a.strip(), "busybox");
            t.file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n").file("etc/group", "root:x:0:\n");
            TestRegistry reg = TestRegistry.local();
            String repo = TestRegistry.uniqueRepo("build-busybox");
            TestImages.push(reg, repo, "1", "amd64", null, List.of("PATH=/bin:/usr/bin", "BASE_VAR=base"),
                    List.of(TestImages.gzip(t)));
            busybox = reg.authority() + "/" + repo + ":1";
            return busybox;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh store and context directory owned by the test user. */
    record Work(Path store, Path context) {
        Path image(String storeName) {
            return store.resolve("img").resolve(storeName);
        }

        void write(String rel, String content) {
            Path p = context.resolve(rel);
            try {
                Files.createDirectories(p.getParent());
                Files.writeString(p, content, StandardCharsets.UTF_8);
                TestEnv.run(List.of("chown", "-R", TestEnv.testUser() == null ? "root" : TestEnv.testUser() + ":", context.toString()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        TestEnv.Result build(String... args) {
            return chImage(this, "build", args);
        }
    }

    static Work work(String name) {
        Path d = TestEnv.userDir("chj-build-" + name + "-");
        Path ctx = d.resolve("ctx");
        TestEnv.runAsUser(List.of("mkdir", "-p", ctx.toString()));
        return new Work(d.resolve("store"), ctx);
    }

    static TestEnv.Result chImage(Work w, String sub, String... args) {
        List<String> cmd = new ArrayList<>(List.of(TestEnv.bin("ch-image"), "-s", w.store().toString(), sub));
        cmd.addAll(List.of(args));
        return TestEnv.runAsUser(cmd, Map.of(), w.context(), null);
    }

    static TestEnv.Result chRun(Work w, String image, String... cmd) {
        List<String> c = new ArrayList<>(List.of(TestEnv.bin("ch-run"), "-s", w.store().toString(), image, "--"));
        c.addAll(List.of(cmd));
        return TestEnv.runAsUser(c);
    }

    static void ok(TestEnv.Result r) {
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
