package chj.run;

import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static chj.run.RunFixture.chRun;
import static org.assertj.core.api.Assertions.assertThat;

/** IMAGE resolution: by name in the store, directory, SquashFS, and the refusals. */
class RunImageIT {

    @Test
    void imageByNameInTheStore() {
        Path storage = RunFixture.scratch("chj-run-store-");
        Path img = RunFixture.makeBusybox(storage.resolve("img").resolve("example.com%foo%bar+1.0"));
        assertThat(img).isDirectory();
        Result r = chRun("-s", storage.toString(), "example.com/foo/bar:1.0", "--", "cat", "/ch/environment");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("IMG_VAR=from-image");
        Result viaEnv = TestEnv.runAsUser(List.of(RunFixture.chRun(), "example.com/foo/bar:1.0", "--", "true"),
                Map.of("CH_IMAGE_STORAGE", storage.toString()), null, null);
        assertThat(viaEnv.exit()).as(viaEnv.toString()).isZero();

        Result write = chRun("-s", storage.toString(), "-w", "example.com/foo/bar:1.0", "--", "true");
        assertThat(write.exit()).isEqualTo(31);
        assertThat(write.err()).contains("--write invalid when running by name");
        Result unsafeWrite = chRun("-s", storage.toString(), "-w", "--unsafe", "example.com/foo/bar:1.0", "--",
                "touch", "/written");
        assertThat(unsafeWrite.exit()).as(unsafeWrite.toString()).isZero();

        Result dir = chRun("-s", storage.toString(), img.toString(), "--", "true");
        assertThat(dir.exit()).isEqualTo(31);
        assertThat(dir.err()).contains("can't run directory images from storage (hint: run by name)");
        assertThat(chRun("-s", storage.toString(), "--unsafe", img.toString(), "--", "true").exit()).isZero();
    }

    @Test
    void missingAndUnknownImages() {
        Result r = chRun("/nonexistent/image", "--", "true");
        assertThat(r.exit()).isEqualTo(31);
        assertThat(r.err()).contains("error: can't stat: /nonexistent/image: No such file or directory");
        Path d = RunFixture.scratch("chj-run-unknown-");
        String f = RunFixture.write(d.resolve("not-an-image"), "hello, world\n");
        Result u = chRun(f, "--", "true");
        assertThat(u.exit()).isEqualTo(31);
        assertThat(u.err()).contains("error: unknown image type: " + f);
    }

    @Test
    void requiredMountPointsMustExist() {
        Path img = RunFixture.makeBusybox(RunFixture.scratch("chj-run-nosys-").resolve("img"));
        TestEnv.runAsUser(List.of("rmdir", img.resolve("sys").toString()));
        Result r = chRun(img.toString(), "--", "true");
        assertThat(r.exit()).isEqualTo(31);
        assertThat(r.err()).contains("can't bind: destination not found: " + img + "/sys");
    }
}
