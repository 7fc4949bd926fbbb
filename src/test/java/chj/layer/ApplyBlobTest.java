package chj.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chj.oci.Digest;
import chj.testing.TarBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplyBlobTest {

    @TempDir
    Path tmp;

    @Test
    void returnsTheDiffIdOfWhatItUnpackedWhateverTheCompression() throws Exception {
        TarBuilder tar = new TarBuilder().file("a", "A");
        Digest diffId = Digest.sha256(tar.bytes());
        for (byte[] blob : new byte[][] {tar.bytes(), tar.gzip(), tar.zstd()}) {
            Path root = tmp.resolve("r" + blob.length);
            LayerUnpacker u = new LayerUnpacker(root, w -> {});
            assertThat(u.applyBlob(new ByteArrayInputStream(blob))).isEqualTo(diffId);
            assertThat(root.resolve("a")).hasContent("A");
        }
    }

    @Test
    void aTruncatedBlobFails() {
        byte[] gz = new TarBuilder().file("a", "A".repeat(10000)).gzip();
        byte[] cut = java.util.Arrays.copyOf(gz, gz.length / 2);
        LayerUnpacker u = new LayerUnpacker(tmp.resolve("r"), w -> {});
        assertThatThrownBy(() -> u.applyBlob(new ByteArrayInputStream(cut)))
                .isInstanceOfAny(IOException.class, LayerException.class);
    }
}
