package chj.convert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FormatTest {

    @TempDir
    Path tmp;

    @Test
    void inferredFromNamesAsCharliecloudDoes() {
        assertThat(Format.infer("/x/img.sqfs", false)).isEqualTo(Format.SQUASH);
        assertThat(Format.infer("img.squashfs", false)).isEqualTo(Format.SQUASH);
        assertThat(Format.infer("a.squishy", true)).isEqualTo(Format.SQUASH);
        for (String t : new String[] {"a.tar", "a.tgz", "a.txz", "a.tar.gz", "a.tar.xz", "/b/a.tar.Z", "a.tar.zst", "a.tzst"})
            assertThat(Format.infer(t, true)).as(t).isEqualTo(Format.TAR);
        assertThat(Format.infer("/var/tmp/img", false)).isEqualTo(Format.DIR);
        assertThat(Format.infer("./img", false)).isEqualTo(Format.DIR);
        assertThat(Format.infer("img", false)).isEqualTo(Format.CH_IMAGE);
        assertThat(Format.infer("registry.example.com:5000/a/b:tag", false)).isEqualTo(Format.CH_IMAGE);
        assertThat(Format.infer("../img", false)).as("Charliecloud's rule: only / and ./ are paths").isEqualTo(Format.CH_IMAGE);
    }

    @Test
    void ociByNameOrByItsLayoutFile() throws Exception {
        assertThat(Format.infer("/x/img.oci", false)).isEqualTo(Format.OCI);
        assertThat(Format.infer("/x/img.oci:v1", false)).isEqualTo(Format.OCI);
        assertThat(Format.infer("img.oci.tar", false)).isEqualTo(Format.OCI);
        Path layout = Files.createDirectories(tmp.resolve("layout"));
        assertThat(Format.infer(layout.toString(), true)).isEqualTo(Format.DIR);
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        assertThat(Format.infer(layout.toString(), true)).isEqualTo(Format.OCI);
        assertThat(Format.infer(layout.toString(), false)).as("outputs are named, not sniffed").isEqualTo(Format.DIR);
    }

    @Test
    void ociPathTakesATagAfterTheLastSlashOnly() {
        assertThat(OciPath.parse("/a/b.oci:v1")).isEqualTo(new OciPath(Path.of("/a/b.oci"), "v1"));
        assertThat(OciPath.parse("/a:b/c.oci")).isEqualTo(new OciPath(Path.of("/a:b/c.oci"), null));
        assertThat(OciPath.parse("/a/b.oci:")).isEqualTo(new OciPath(Path.of("/a/b.oci:"), null));
    }

    @Test
    void formatNames() throws Exception {
        assertThat(Format.parse("ch-image")).isEqualTo(Format.CH_IMAGE);
        assertThat(Format.parse("OCI")).isEqualTo(Format.OCI);
        assertThatThrownBy(() -> Format.parse("zip")).isInstanceOf(ConvertException.class).hasMessage("invalid format: zip");
    }
}
