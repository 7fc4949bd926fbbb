package chj.layer;

import chj.testing.TarBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/** Ownership, modes, times and xattrs, flattened for the invoking user. */
class FlatteningTest {

    @TempDir
    Path tmp;

    private Path root() {
        return tmp.resolve("img");
    }

    @Test
    void ownersAreNeverApplied() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("f", "x").owner(1234, 5678).ownerNames("alice", "staff")
                .dir("d").owner(99, 99).file("big", "x").owner(3_000_000_000L, 4_000_000_000L));
        int me = (Integer) Files.getAttribute(tmp, "unix:uid");
        for (String p : new String[] {"f", "d", "big"}) {
            assertThat(Files.getAttribute(u.path(p), "unix:uid")).as(p).isEqualTo(me);
        }
    }

    @Test
    void setidAndStickyBitsAreDropped() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("su", "x", 04755).file("wall", "x", 02755)
                .dir("tmp", 01777).file("plain", "x", 0755));
        assertThat(u.mode("su")).isEqualTo(0755);
        assertThat(u.mode("wall")).isEqualTo(0755);
        assertThat(u.mode("tmp")).isEqualTo(0777);
        assertThat(u.last().setidDropped()).isEqualTo(2);
    }

    @Test
    void modesAreWidenedForTheOwner() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("none", "x", 0).file("ro", "x", 0444).file("x", "x", 0111)
                .dir("dnone", 0).dir("dro", 0555).file("dro/child", "c", 0400).file("exact", "x", 0640).dir("dexact", 0750));
        assertThat(u.mode("none")).isEqualTo(0600);
        assertThat(u.mode("ro")).isEqualTo(0644);
        assertThat(u.mode("x")).isEqualTo(0711);
        assertThat(u.mode("dnone")).isEqualTo(0700);
        assertThat(u.mode("dro")).isEqualTo(0755);
        assertThat(u.mode("dro/child")).isEqualTo(0600);
        assertThat(u.mode("exact")).isEqualTo(0640);
        assertThat(u.mode("dexact")).isEqualTo(0750);
    }

    @Test
    void modesIgnoreTheUmask() throws Exception {
        // group and other write bits survive whatever the umask is (022 here, usually)
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("f", "x", 0666).dir("d", 0777).file("d/g", "x", 0664));
        assertThat(u.mode("f")).isEqualTo(0666);
        assertThat(u.mode("d")).isEqualTo(0777);
        assertThat(u.mode("d/g")).isEqualTo(0664);
    }

    @Test
    void readOnlyDirectoryStillReceivesChildrenOfLaterLayers() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().dir("ro", 0500).dir("ro/sub", 0500),
                new TarBuilder().file("ro/sub/late", "late"));
        assertThat(u.read("ro/sub/late")).isEqualTo("late");
    }

    @Test
    void impliedParentsAreMadeWithModeOfMoby() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("a/b/c", "c"));
        assertThat(u.mode("a")).isEqualTo(0755);
        assertThat(u.mode("a/b")).isEqualTo(0755);
    }

    @Test
    void mtimesComeFromTheTarAndDirectoriesGetTheirsLast() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().dir("d").mtime(1_000).dir("d/e").mtime(2_000)
                .file("d/e/f", "x").mtime(3_000).symlink("d/l", "f").mtime(4_000).hardlink("d/h", "d/e/f").mtime(9_999));
        assertThat(u.mtime("d")).isEqualTo(1_000);
        assertThat(u.mtime("d/e")).isEqualTo(2_000);
        assertThat(u.mtime("d/e/f")).isEqualTo(3_000);
        assertThat(u.mtime("d/l")).isEqualTo(4_000);
        assertThat(u.mtime("d/h")).isEqualTo(3_000); // a hard link has its target's inode, and times
    }

    @Test
    void directoryMtimeOfTheLastLayerWins() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().dir("d").mtime(1_000).dir("gone").mtime(5),
                new TarBuilder().dir("d").mtime(2_000).file("d/x", "x").whiteout("gone"));
        assertThat(u.mtime("d")).isEqualTo(2_000);
    }

    @Test
    void directoryReplacedByFileKeepsTheFilesMtime() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().dir("p").mtime(1_000),
                new TarBuilder().file("p", "x").mtime(7_000));
        assertThat(u.mtime("p")).isEqualTo(7_000);
    }

    @Test
    void unusualTimes() throws Exception {
        Unpacked u = Unpacked.layers(root(), new TarBuilder().file("frac", "x").mtime(1_600_000_000, 123_456_789)
                .file("old", "x").mtime(-86_400 * 365L).file("future", "x").mtime(9_000_000_000L).file("zero", "x").mtime(0));
        assertThat(u.attrs("frac").lastModifiedTime().toInstant()).isEqualTo(Instant.ofEpochSecond(1_600_000_000, 123_456_789));
        assertThat(u.mtime("old")).isEqualTo(-86_400 * 365L);
        assertThat(u.mtime("future")).isEqualTo(9_000_000_000L); // past 2038 and past the octal field (PAX)
        assertThat(u.mtime("zero")).isEqualTo(0);
    }

    @Test
    void userXattrsAreAppliedOthersCounted() throws Exception {
        assumeThat(supportsUserXattrs(tmp)).as("file system with user xattrs").isTrue();
        String b64 = Base64.getEncoder().encodeToString("from libarchive".getBytes(StandardCharsets.UTF_8));
        Unpacked u = Unpacked.layers(root(), new TarBuilder()
                .file("f", "x").xattr("user.color", "blue").xattr("security.capability", "\u0001\u0000\u0000\u0002")
                .xattr("trusted.overlay.opaque", "y").paxRecord("LIBARCHIVE.xattr.user.from%20la", b64)
                .dir("d").xattr("user.dir", "yes"));
        assertThat(readXattr(u.path("f"), "color")).isEqualTo("blue");
        assertThat(readXattr(u.path("f"), "from la")).isEqualTo("from libarchive");
        assertThat(readXattr(u.path("d"), "dir")).isEqualTo("yes");
        assertThat(u.last().xattrsApplied()).isEqualTo(3);
        assertThat(u.last().xattrsSkipped()).isEqualTo(2);
        assertThat(u.warnings).isEmpty();
    }

    private static boolean supportsUserXattrs(Path dir) throws Exception {
        Path probe = Files.createTempFile(dir, "xattr", "");
        try {
            Files.getFileAttributeView(probe, UserDefinedFileAttributeView.class).write("probe", ByteBuffer.wrap(new byte[] {1}));
            return true;
        } catch (Exception e) {
            return false;
        } finally {
            Files.delete(probe);
        }
    }

    private static String readXattr(Path p, String name) throws Exception {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        ByteBuffer b = ByteBuffer.allocate(v.size(name));
        v.read(name, b);
        return new String(b.array(), StandardCharsets.UTF_8);
    }
}
