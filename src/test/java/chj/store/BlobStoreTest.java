package chj.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chj.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SuppressWarnings("try") // locks and stores held for a block
class BlobStoreTest {

    @TempDir
    Path tmp;
    Storage store;
    BlobStore blobs;

    @BeforeEach
    void open() throws StoreException {
        store = Storage.open(tmp.resolve("store"));
        blobs = store.blobs();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void putAndReadSmall() throws Exception {
        byte[] manifest = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        Digest d = blobs.putSmall(manifest);
        assertThat(d).isEqualTo(Digest.sha256(manifest));
        assertThat(blobs.contains(d)).isTrue();
        assertThat(blobs.path(d)).isEqualTo(store.root().resolve("blobs/sha256/" + d.hex()));
        assertThat(blobs.readSmall(d)).isEqualTo(manifest);
        assertThat(blobs.putSmall(manifest)).isEqualTo(d); // idempotent
        assertThat(blobs.list()).containsExactly(d);
        assertThat(Layout.list(store.root().resolve("blobs/partial"))).isEmpty();
    }

    @Test
    void missingBlob() {
        Digest d = Digest.sha256(new byte[] {1});
        assertThat(blobs.contains(d)).isFalse();
        assertThatThrownBy(() -> blobs.readSmall(d)).isInstanceOf(StoreException.class).hasMessage("blob not in cache: " + d);
    }

    @Test
    void corruptBlobIsReportedAndRemoved() throws Exception {
        Digest d = blobs.putSmall("good".getBytes(StandardCharsets.UTF_8));
        Files.writeString(blobs.path(d), "evil");
        assertThatThrownBy(() -> blobs.readSmall(d))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cached blob is corrupt")
                .hasMessageContaining("expected " + d + ", got " + Digest.sha256("evil".getBytes(StandardCharsets.UTF_8)));
        assertThat(blobs.contains(d)).isFalse();
    }

    @Test
    void commitFromAPartFile() throws Exception {
        byte[] layer = new byte[100_000];
        layer[7] = 42;
        Digest d = Digest.sha256(layer);
        try (BlobLock l = store.lockBlob(d)) {
            Path part = blobs.partPath(d);
            assertThat(part.getParent()).isEqualTo(store.root().resolve("blobs/partial"));
            Files.write(part, layer);
            blobs.commit(d, part);
            assertThat(part).doesNotExist();
        }
        assertThat(Files.readAllBytes(blobs.path(d))).isEqualTo(layer);
        assertThat(blobs.delete(d)).isTrue();
        assertThat(blobs.delete(d)).isFalse();
    }

    @Test
    void sha512BlobsGetTheirOwnDirectory() throws Exception {
        Digest d = new Digest("sha512", "ab".repeat(64));
        Path t = blobs.newTempFile();
        Files.writeString(t, "x");
        blobs.commit(d, t); // the caller verified it
        assertThat(blobs.path(d)).isEqualTo(store.root().resolve("blobs/sha512/" + d.hex()));
        assertThat(blobs.list()).contains(d);
    }
}
