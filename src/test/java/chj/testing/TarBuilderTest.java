package chj.testing;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TarBuilder's output, as GNU tar and Commons Compress read it. */
class TarBuilderTest {

    private static final String LONG = "dir-with-a-long-name/".repeat(6) + "file-" + "n".repeat(100);

    /** GNU tar's verbose listing: "type+mode owner size date time name [-> target]". */
    private static List<String> gnuList(byte[] tar) throws Exception {
        Process p = new ProcessBuilder("tar", "--numeric-owner", "--utc", "-tvf", "-").start();
        try (var in = p.getOutputStream()) {
            in.write(tar);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(err).isZero();
        assertThat(err).isEmpty();
        return out.lines().toList();
    }

    private static List<TarArchiveEntry> ccList(byte[] tar) throws IOException {
        List<TarArchiveEntry> out = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) out.add(e);
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(TarBuilder.Format.class)
    void everyFormatListsAsWritten(TarBuilder.Format format) throws Exception {
        TarBuilder b = new TarBuilder(format).dir("etc", 0750).file("etc/passwd", "root:x:0:0:\n", 0644).owner(1000, 100)
                .symlink("sh", "/bin/dash").hardlink("etc/pw", "etc/passwd").mtime(0).fifo("fifo").device("null");
        List<String> lines = gnuList(b.bytes());
        assertThat(lines).hasSize(6);
        assertThat(lines.get(0)).matches("drwxr-x--- 0/0 +0 2023-11-14 22:13 etc/");
        assertThat(lines.get(1)).matches("-rw-r--r-- 1000/100 +12 2023-11-14 22:13 etc/passwd");
        assertThat(lines.get(2)).matches("lrwxrwxrwx 0/0 +0 2023-11-14 22:13 sh -> /bin/dash");
        assertThat(lines.get(3)).matches("hrw-r--r-- 0/0 +0 1970-01-01 00:00 etc/pw link to etc/passwd");
        assertThat(lines.get(4)).matches("prw-r--r-- 0/0 +0 2023-11-14 22:13 fifo");
        String dev = format == TarBuilder.Format.V7 ? "0,0" : "1,3"; // v7 headers have no device numbers
        assertThat(lines.get(5)).matches("crw-rw-rw- 0/0 +" + dev + " 2023-11-14 22:13 null");
    }

    @Test
    void ustarSplitsLongNamesIntoPrefix() throws Exception {
        byte[] tar = new TarBuilder(TarBuilder.Format.USTAR).file("a/".repeat(70) + "file", "x").bytes();
        assertThat(new String(tar, 345, 139, StandardCharsets.US_ASCII)).isEqualTo("a/".repeat(69) + "a");
        assertThat(gnuList(tar)).singleElement().asString().endsWith(" " + "a/".repeat(70) + "file");
        assertThatThrownBy(() -> new TarBuilder(TarBuilder.Format.USTAR).file(LONG, "x").bytes())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void gnuWritesLongNameRecordsAndOldGnuMagic() throws Exception {
        byte[] tar = new TarBuilder(TarBuilder.Format.GNU).file(LONG, "x").symlink("l", "/" + LONG).bytes();
        assertThat(new String(tar, 0, 13, StandardCharsets.US_ASCII)).isEqualTo("././@LongLink");
        assertThat(tar[156]).isEqualTo((byte) 'L');
        assertThat(new String(tar, 257, 8, StandardCharsets.US_ASCII)).isEqualTo("ustar  \0");
        List<String> lines = gnuList(tar);
        assertThat(lines.get(0)).endsWith(" " + LONG);
        assertThat(lines.get(1)).endsWith(" l -> /" + LONG);
    }

    @Test
    void gnuWritesBase256ForLargeNumbers() throws Exception {
        // (Commons Compress reads base-256 ids into an int: keep them below 2^31 here)
        byte[] tar = new TarBuilder(TarBuilder.Format.GNU).file("f", "x").owner(30_000_000L, 7).mtime(-1).bytes();
        assertThat(tar[108] & 0xff).isEqualTo(0x80);
        TarArchiveEntry e = ccList(tar).getFirst();
        assertThat(e.getLongUserId()).isEqualTo(30_000_000L);
        assertThat(e.getLastModifiedTime().toMillis()).isEqualTo(-1000);
        assertThat(gnuList(tar)).singleElement().asString().contains("30000000/7");
    }

    @Test
    void paxWritesRecordsOnlyWhereNeeded() throws Exception {
        TarBuilder b = new TarBuilder().file("short", "x").file(LONG, "y").file("café", "z").mtime(1_600_000_000, 500_000_000)
                .xattr("user.k", "v").owner(4_000_000_000L, 0);
        byte[] tar = b.bytes();
        List<TarArchiveEntry> entries = ccList(tar);
        assertThat(entries).extracting(TarArchiveEntry::getName).containsExactly("short", LONG, "café");
        assertThat(tar[156]).isEqualTo((byte) '0'); // no record before the first member
        TarArchiveEntry cafe = entries.get(2);
        assertThat(cafe.getExtraPaxHeader("SCHILY.xattr.user.k")).isEqualTo("v");
        assertThat(cafe.getLastModifiedTime().toInstant().getNano()).isEqualTo(500_000_000);
        assertThat(cafe.getLongUserId()).isEqualTo(4_000_000_000L);
        assertThat(gnuList(tar)).extracting(l -> l.substring(l.lastIndexOf(' ') + 1)).containsExactly("short", LONG, "café");
    }

    @Test
    void v7HasNoMagic() throws Exception {
        byte[] tar = new TarBuilder(TarBuilder.Format.V7).file("f", "x").bytes();
        assertThat(tar[156]).isEqualTo((byte) 0);
        assertThat(new String(tar, 257, 8, StandardCharsets.US_ASCII)).isEqualTo("\0".repeat(8));
        assertThat(gnuList(tar)).singleElement().asString().endsWith(" f");
        assertThatThrownBy(() -> new TarBuilder(TarBuilder.Format.V7).file("f", "x").xattr("user.a", "b"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void whiteoutsAndOpaques() throws Exception {
        byte[] tar = new TarBuilder().whiteout("etc/old").whiteout("top").opaque("var/cache").opaque("").bytes();
        assertThat(ccList(tar)).extracting(TarArchiveEntry::getName)
                .containsExactly("etc/.wh.old", ".wh.top", "var/cache/.wh..wh..opq", ".wh..wh..opq");
    }

    @Test
    void endsWithTwoZeroBlocksOrPadsToARecord() {
        byte[] go = new TarBuilder().file("f", "x").bytes();
        assertThat(go).hasSize(512 * 4);
        assertThat(new TarBuilder().file("f", "x").recordSize(10240).bytes()).hasSize(10240);
    }

    @Test
    void compressedForms() throws IOException {
        TarBuilder b = new TarBuilder().file("f", "x".repeat(10_000));
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(b.gzip()))) {
            assertThat(in.readAllBytes()).isEqualTo(b.bytes());
        }
        assertThat(com.github.luben.zstd.Zstd.decompress(b.zstd(), b.bytes().length)).isEqualTo(b.bytes());
    }
}
