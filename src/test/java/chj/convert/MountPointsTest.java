package chj.convert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class MountPointsTest {

    @TempDir
    Path root;

    @Test
    void addsOnlyWhatIsMissingAndNeverThroughSymlinks() throws Exception {
        Files.createDirectories(root.resolve("usr/bin"));
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
        Files.createSymbolicLink(root.resolve("mnt"), Path.of("/nonexistent"));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/hosts"), "127.0.0.1 localhost\n");
        MountPoints.Missing m = MountPoints.missing(root);
        assertThat(m.directories()).containsExactly("dev", "proc", "sys", "tmp");
        assertThat(m.files()).containsExactly("etc/resolv.conf");
        MountPoints.add(root);
        assertThat(MountPoints.missing(root).isEmpty()).isTrue();
        assertThat(Files.readString(root.resolve("etc/hosts"))).isEqualTo("127.0.0.1 localhost\n");
        assertThat(Files.isSymbolicLink(root.resolve("mnt"))).isTrue();
    }

    @Test
    void anEmptyTreeGetsEverything() {
        MountPoints.Missing m = MountPoints.missing(root);
        assertThat(m.directories()).containsExactlyElementsOf(MountPoints.DIRECTORIES);
        assertThat(m.files()).containsExactly("etc/hosts", "etc/resolv.conf");
    }
}
