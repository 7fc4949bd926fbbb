package chj.image;

import static org.assertj.core.api.Assertions.assertThat;

import chj.Log;
import chj.layer.Compression;
import chj.layer.LayerChanges;
import chj.oci.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** New layers of a push: the same tar whatever the compression, and blobs whose digests are their files'. */
class LayerCompressorTest {

    @TempDir
    Path tmp;

    @Test
    void everyCompressionCarriesTheSameTarAndDescribesItsFile() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root/usr/lib"));
        // text-like: compressible, but not trivially, so that higher levels do better (with zlib and libdeflate)
        Random r = new Random(1);
        StringBuilder text = new StringBuilder();
        while (text.length() < 3 << 20)
            text.append("word").append(r.nextInt(500)).append(r.nextInt(6) == 0 ? '\n' : ' ').append(r.nextInt(100_000));
        Files.writeString(root.resolve("data.bin"), text);
        Files.writeString(root.resolve("text"), "hello\n".repeat(10_000));
        Files.createDirectories(tmp.resolve("root/ch"));
        Files.writeString(tmp.resolve("root/ch/environment"), "never in a layer\n");
        Path tree = tmp.resolve("root");

        record Case(Compression c, int level) {}
        List<Case> cases = List.of(new Case(Compression.GZIP, 1), new Case(Compression.GZIP, 9),
                new Case(Compression.ZSTD, 6), new Case(Compression.NONE, 6));
        Digest diffId = null;
        long[] sizes = new long[cases.size()];
        for (int i = 0; i < cases.size(); i++) {
            Case k = cases.get(i);
            Path file = tmp.resolve("layer-" + i);
            LayerCompressor.Written w;
            try (LayerCompressor c = new LayerCompressor(tree, k.c(), k.level(), Instant.ofEpochSecond(1), 1, Log.SILENT)) {
                w = c.submit(LayerChanges.wholeTree(), file, "layer").get();
            }
            assertThat(w.file()).isEqualTo(file);
            assertThat(Files.size(file)).isEqualTo(w.blob().size());
            assertThat(Digest.sha256(Files.readAllBytes(file))).isEqualTo(w.blob().digest());
            assertThat(w.blob().tar().entries()).as("usr/, usr/lib/, data.bin, text; no ch/").isEqualTo(4);
            if (diffId == null) diffId = w.blob().diffId();
            assertThat(w.blob().diffId()).as(k.toString()).isEqualTo(diffId);
            sizes[i] = w.blob().size();
        }
        assertThat(sizes[1]).as("gzip -9 smaller than -1").isLessThan(sizes[0]);
        assertThat(sizes[3]).as("none is the tar").isGreaterThan(sizes[0]);
    }
}
