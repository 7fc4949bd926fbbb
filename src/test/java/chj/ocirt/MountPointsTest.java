package chj.ocirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountPointsTest {

    @TempDir
    Path tmp;

    final Fixtures.RecordingLog log = new Fixtures.RecordingLog();

    @Test
    void makesMissingFilesAndDirectoriesLikeRunc() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("rootfs/etc"));
        root = root.getParent();
        Files.writeString(root.resolve("etc/hosts"), "keep me\n");
        MountPoints.ensure(root, List.of(new LaunchPlan.MountPoint("/proc", true),
                new LaunchPlan.MountPoint("/etc/hosts", false), new LaunchPlan.MountPoint("/etc/hostname", false),
                new LaunchPlan.MountPoint("/run/.containerenv", false), new LaunchPlan.MountPoint("/a/b/c/", true)), log);
        assertThat(root.resolve("proc")).isDirectory();
        assertThat(root.resolve("etc/hosts")).hasContent("keep me");
        assertThat(root.resolve("etc/hostname")).isRegularFile().isEmptyFile();
        assertThat(root.resolve("run")).isDirectory();
        assertThat(root.resolve("run/.containerenv")).isRegularFile();
        assertThat(root.resolve("a/b/c")).isDirectory();
        assertThat(log.warnings).isEmpty();
    }

    @Test
    void neverWritesThroughSymlinks() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("rootfs"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(root.resolve("etc"), outside);
        Files.createSymbolicLink(root.resolve("run"), Path.of("/nonexistent-" + System.nanoTime()));
        MountPoints.ensure(root, List.of(new LaunchPlan.MountPoint("/etc/hostname", false),
                new LaunchPlan.MountPoint("/run/x", true), new LaunchPlan.MountPoint("/../escape", true)), log);
        try (var s = Files.list(outside)) {
            assertThat(s.toList()).isEmpty();
        }
        assertThat(Files.isSymbolicLink(root.resolve("run"))).isTrue();
        assertThat(Files.exists(root.resolve("run"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(tmp.resolve("escape")).doesNotExist();
        assertThat(log.debug).hasSize(3);
    }
}
