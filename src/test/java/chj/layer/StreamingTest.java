package chj.layer;

import chj.oci.Digest;
import chj.testing.TarBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The stream contract: read to the very end, once, and fail clearly on a bad stream. */
class StreamingTest {

    @TempDir
    Path tmp;

    private LayerUnpacker unpacker(List<String> warnings, boolean readAhead) {
        LayerUnpacker u = new LayerUnpacker(tmp.resolve("img"), warnings::add);
        u.readAhead(readAhead);
        return u;
    }

    @ParameterizedTest(name = "read-ahead {0}")
    @ValueSource(booleans = {true, false})
    void diffIdCoversTheWholeStreamWithPaddingAndTrailingZeros(boolean readAhead) throws Exception {
        byte[] tar = new TarBuilder().file("a", "x".repeat(1000)).recordSize(10240).bytes();
        byte[] padded = Arrays.copyOf(tar, tar.length + 4096); // some writers add zero blocks beyond the record
        MessageDigest diffId = Digest.newSha256();
        CloseCounting in = new CloseCounting(new ByteArrayInputStream(padded));
        LayerStats stats = unpacker(new ArrayList<>(), readAhead).apply(new DigestInputStream(in, diffId));
        assertThat(Digest.ofSha256(diffId.digest())).isEqualTo(Digest.sha256(padded));
        assertThat(stats.tarBytes()).isEqualTo(padded.length);
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.closed).isFalse(); // the caller owns the stream
    }

    @Test
    void wholePipelineOfGzipLayerWithBothDigests() throws Exception {
        byte[] tar = new TarBuilder().file("a", "a").dir("b").file("b/c", "c".repeat(300_000)).bytes();
        byte[] gz = TarBuilder.gzip(tar);
        byte[] blob = Arrays.copyOf(gz, gz.length + 100); // zero padding after the gzip trailer
        MessageDigest blobHash = Digest.newSha256(), diffHash = Digest.newSha256();
        InputStream pipeline = new DigestInputStream(Compression.decompress(
                new DigestInputStream(new ByteArrayInputStream(blob), blobHash)), diffHash);
        LayerStats stats = unpacker(new ArrayList<>(), true).apply(pipeline);
        assertThat(Digest.ofSha256(blobHash.digest())).isEqualTo(Digest.sha256(blob));
        assertThat(Digest.ofSha256(diffHash.digest())).isEqualTo(Digest.sha256(tar));
        assertThat(stats.files()).isEqualTo(2);
        assertThat(stats.bytes()).isEqualTo(300_001);
        assertThat(Files.size(tmp.resolve("img/b/c"))).isEqualTo(300_000);
    }

    @Test
    void largeFileStreamsThroughSmallBuffers() throws Exception {
        // 40 MB of file data, produced on the fly: the unpacker must not need it all at once
        long size = 40L << 20;
        InputStream tar = new SingleFileTar("big", size);
        MessageDigest diffId = Digest.newSha256();
        LayerStats stats = unpacker(new ArrayList<>(), true).apply(new DigestInputStream(tar, diffId));
        assertThat(stats.bytes()).isEqualTo(size);
        assertThat(Files.size(tmp.resolve("img/big"))).isEqualTo(size);
        assertThat(stats.tarBytes()).isEqualTo(512 + size + 1024);
    }

    @ParameterizedTest(name = "read-ahead {0}")
    @ValueSource(booleans = {true, false})
    void truncatedInsideFileDataFailsNamingTheMember(boolean readAhead) {
        byte[] tar = new TarBuilder().file("first", "1").file("usr/bin/big", "b".repeat(5000)).bytes();
        byte[] cut = Arrays.copyOf(tar, 512 * 4 + 1000);
        assertThatThrownBy(() -> unpacker(new ArrayList<>(), readAhead).apply(new ByteArrayInputStream(cut)))
                .isInstanceOf(LayerException.class)
                .hasMessageContaining("usr/bin/big").hasMessageContaining("runcated").hasMessageNotContaining("\n");
    }

    @Test
    void truncatedInsideHeaderFails() {
        byte[] tar = new TarBuilder().file("first", "1").file("second", "2").bytes();
        byte[] cut = Arrays.copyOf(tar, 512 * 2 + 100);
        assertThatThrownBy(() -> unpacker(new ArrayList<>(), true).apply(new ByteArrayInputStream(cut)))
                .isInstanceOf(LayerException.class).hasMessageContaining("truncated tar").hasMessageContaining("first");
    }

    @Test
    void missingEndOfArchiveIsAWarning() throws Exception {
        byte[] tar = new TarBuilder().file("first", "1").bytes();
        byte[] cut = Arrays.copyOf(tar, 1024); // header and data, no end blocks
        List<String> warnings = new ArrayList<>();
        LayerStats stats = unpacker(warnings, true).apply(new ByteArrayInputStream(cut));
        assertThat(stats.files()).isEqualTo(1);
        assertThat(warnings).singleElement().asString().contains("end-of-archive");
    }

    @Test
    void corruptHeaderFails() {
        byte[] tar = new TarBuilder().file("first", "1").file("second", "2").bytes();
        tar[1024 + 148] ^= 0x01; // the second header's checksum
        assertThatThrownBy(() -> unpacker(new ArrayList<>(), true).apply(new ByteArrayInputStream(tar)))
                .isInstanceOf(LayerException.class).hasMessageContaining("after member 'first'");
    }

    @Test
    void garbageIsNotATar() {
        byte[] junk = new byte[5000];
        Arrays.fill(junk, (byte) 'x');
        assertThatThrownBy(() -> unpacker(new ArrayList<>(), true).apply(new ByteArrayInputStream(junk)))
                .isInstanceOf(LayerException.class).hasMessageStartingWith("cannot read layer tar");
    }

    @Test
    void failureOfTheCallersStreamIsTheCause() {
        IOException boom = new IOException("connection reset by registry");
        InputStream failing = new FilterInputStream(new ByteArrayInputStream(new TarBuilder().file("a", "x".repeat(600_000)).bytes())) {
            long read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (read > 300_000) throw boom;
                int n = super.read(b, off, Math.min(len, 1000));
                read += Math.max(n, 0);
                return n;
            }
        };
        assertThatThrownBy(() -> unpacker(new ArrayList<>(), true).apply(failing))
                .isInstanceOf(LayerException.class).hasMessageContaining("connection reset by registry").hasRootCauseMessage("connection reset by registry");
    }

    @Test
    void emptyStreamsAreEmptyLayers() throws Exception {
        List<String> warnings = new ArrayList<>();
        LayerUnpacker u = unpacker(warnings, true);
        assertThat(u.apply(new ByteArrayInputStream(new byte[0])).members()).isZero();
        assertThat(u.apply(new ByteArrayInputStream(new byte[1024])).tarBytes()).isEqualTo(1024);
        assertThat(warnings).isEmpty();
        assertThat(tmp.resolve("img")).isEmptyDirectory();
    }

    @Test
    void statsCountEachKind() throws Exception {
        LayerStats s = unpacker(new ArrayList<>(), true).apply(new TarBuilder().dir("d").file("d/f", "12345").symlink("s", "d")
                .hardlink("h", "d/f").device("null").whiteout("w").opaque("d").file("../bad", "").stream());
        assertThat(s).isEqualTo(new LayerStats(s.tarBytes(), 8, 1, 1, 1, 1, 2, 5, 1, 1, 0, 0, 0));
    }

    @Test
    void rootIsCreatedAndMayAlreadyHoldAnImage() throws Exception {
        Path root = tmp.resolve("a/b/img");
        new LayerUnpacker(root, w -> {}).apply(new TarBuilder().file("one", "1").stream());
        new LayerUnpacker(root, w -> {}).apply(new TarBuilder().file("two", "2").whiteout("one").stream());
        try (var s = Files.list(root)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("two");
        }
    }

    @Test
    void rootThatIsAFileFails() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> new LayerUnpacker(file, w -> {}).apply(new TarBuilder().file("a", "a").stream()))
                .isInstanceOf(LayerException.class).hasMessageContaining(file.toString());
    }

    @Test
    void unwritableTreeFailsNamingTheMember() throws Exception {
        Path root = tmp.resolve("img");
        LayerUnpacker u = new LayerUnpacker(root, w -> {});
        u.apply(new TarBuilder().file("f", "x").stream());
        // a file name longer than NAME_MAX cannot be created: an I/O error of the tree, not of the tar
        String longName = "n".repeat(300);
        assertThatThrownBy(() -> u.apply(new TarBuilder().file(longName, "x").stream()))
                .isInstanceOf(LayerException.class).hasMessageStartingWith("cannot unpack layer member '" + longName + "'")
                .hasMessageNotContaining("\n");
    }

    @Test
    void ioErrorsAreReportedWithoutAbsolutePaths() {
        assertThat(LayerUnpacker.reason(new java.nio.file.AccessDeniedException("/var/tmp/x/img/etc"))).isEqualTo("permission denied");
        assertThat(LayerUnpacker.reason(new java.nio.file.FileSystemException("/a", null, "No space left on device")))
                .isEqualTo("No space left on device");
    }

    /** A stream that remembers whether it was closed. */
    private static final class CloseCounting extends FilterInputStream {
        boolean closed;

        CloseCounting(InputStream in) {
            super(in);
        }

        @Override
        public void close() throws IOException {
            closed = true;
            super.close();
        }
    }

    /** A ustar archive of one file of the given size whose bytes are generated, never stored. */
    private static final class SingleFileTar extends InputStream {
        private final byte[] header;
        private final long size;
        private long position;

        SingleFileTar(String name, long size) {
            byte[] one = new TarBuilder(TarBuilder.Format.USTAR).file(name, new byte[0]).bytes();
            header = Arrays.copyOf(one, 512);
            String octal = String.format("%011o", size);
            System.arraycopy(octal.getBytes(), 0, header, 124, 11);
            Arrays.fill(header, 148, 156, (byte) ' ');
            long sum = 0;
            for (byte b : header) sum += b & 0xff;
            System.arraycopy(String.format("%06o\0 ", sum).getBytes(), 0, header, 148, 8);
            this.size = size;
        }

        @Override
        public int read() {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            long total = 512 + size + 1024; // size is a multiple of 512 here
            if (position >= total) return -1;
            int n = (int) Math.min(len, total - position);
            for (int i = 0; i < n; i++) {
                long p = position + i;
                b[off + i] = p < 512 ? header[(int) p] : p < 512 + size ? (byte) (p * 31) : 0;
            }
            position += n;
            return n;
        }
    }
}
