package chj.image;

import chj.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlobFollowerTest {

    @TempDir
    Path tmp;

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Reads the follower to its end on another thread. */
    static CompletableFuture<byte[]> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    static void writeAt(Path file, byte[] data, int from, int to) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(data, from, to - from), from);
        }
    }

    @Test
    void followsThePartFileAsItGrowsAndEndsOnlyWhenTheDownloadIsDone() throws Exception {
        byte[] blob = random(300_000, 1);
        Path part = tmp.resolve("part");
        BlobFollower f = new BlobFollower(Digest.sha256(blob), part, t -> {});
        CompletableFuture<byte[]> read = readAll(f);
        for (int at = 0; at < blob.length; at += 100_000) {
            writeAt(part, blob, at, at + 100_000);
            f.written(at + 100_000);
            Thread.sleep(20);
            assertThat(read).isNotDone(); // all written, but not known to be verified
        }
        Path cached = tmp.resolve("cached");
        Files.move(part, cached); // the store commits by rename
        f.finished(cached);
        assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(blob);
    }

    @Test
    void aDownloadThatStartsOverIsFollowedAgainAndTheResultVerified() throws Exception {
        byte[] blob = random(200_000, 2);
        Path part = tmp.resolve("part");
        BlobFollower f = new BlobFollower(Digest.sha256(blob), part, t -> {});
        CompletableFuture<byte[]> read = readAll(f);
        writeAt(part, blob, 0, 150_000);
        f.written(150_000);
        Thread.sleep(50);
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
            ch.truncate(0); // the registry would not resume: the download empties the file and starts again
        }
        f.written(0);
        writeAt(part, blob, 0, 100_000);
        f.written(100_000);
        writeAt(part, blob, 100_000, blob.length);
        f.written(blob.length);
        f.finished(part);
        assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(blob);
    }

    @Test
    void bytesThatDoNotHashToTheDigestFailTheRead() throws Exception {
        byte[] blob = random(50_000, 3);
        byte[] other = blob.clone();
        other[10] ^= 1;
        Path part = tmp.resolve("part");
        Files.write(part, other);
        BlobFollower f = new BlobFollower(Digest.sha256(blob), part, t -> {});
        f.written(other.length);
        f.finished(part);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> f.transferTo(out)).isInstanceOf(IOException.class)
                .hasMessageContaining("blob " + Digest.sha256(blob)).hasMessageContaining(Digest.sha256(other).toString());
        assertThatThrownBy(f::read).isInstanceOf(IOException.class); // and stays failed
    }

    @Test
    void aFailedDownloadFailsTheReadWithItsCause() throws Exception {
        byte[] blob = random(10_000, 4);
        Path part = tmp.resolve("part");
        BlobFollower f = new BlobFollower(Digest.sha256(blob), part, t -> {});
        CompletableFuture<byte[]> read = readAll(f);
        writeAt(part, blob, 0, 5_000);
        f.written(5_000);
        RuntimeException cause = new RuntimeException("registry went away");
        f.failed(cause);
        assertThat(read).failsWithin(10, TimeUnit.SECONDS).withThrowableThat()
                .havingRootCause().isSameAs(cause);
    }

    @Test
    void aBlobAnotherProcessDownloadedIsReadFromTheCache() throws Exception {
        byte[] blob = random(70_000, 5);
        Path cached = tmp.resolve("cached");
        Files.write(cached, blob);
        long[] progress = {-1};
        BlobFollower f = new BlobFollower(Digest.sha256(blob), tmp.resolve("never-written"), t -> progress[0] = t);
        f.progressed(42);
        f.finished(cached);
        assertThat(f.readAllBytes()).isEqualTo(blob);
        assertThat(progress[0]).isEqualTo(42);
    }
}
