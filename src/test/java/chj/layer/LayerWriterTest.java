package chj.layer;

import chj.oci.Digest;
import chj.testing.TreeDigest;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LayerWriterTest {

    static final String LONG_DIR = "d".repeat(90) + "/" + "e".repeat(60);
    static final String LONG_FILE = LONG_DIR + "/" + "f".repeat(120);
    static final String LONG_TARGET = "/" + "t".repeat(150);

    @TempDir
    Path tmp;

    /** A tree with one of everything a layer writer must get right. */
    static Path sampleTree(Path root, long mtime) throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("usr/bin"));
        Files.createDirectories(root.resolve(LONG_DIR));
        Files.createDirectories(root.resolve("tmp"));
        Files.createDirectories(root.resolve("ch/git/objects"));
        Files.writeString(root.resolve("etc/motd"), "hello\n");
        Files.writeString(root.resolve("usr/bin/tool"), "#!/bin/sh\necho tool\n");
        Files.writeString(root.resolve(LONG_FILE), "long name\n");
        Files.writeString(root.resolve("ch/git/objects/x"), "cache\n");
        Files.writeString(root.resolve("ch/environment"), "A=1\n");
        Files.writeString(root.resolve("etc/na\u00efve-\u65e5\u672c"), "utf-8 name\n");
        Files.write(root.resolve("usr/bin/big"), new byte[300_000]);
        Files.createLink(root.resolve("usr/bin/tool-link"), root.resolve("usr/bin/tool"));
        Files.createSymbolicLink(root.resolve("etc/long-link"), Path.of(LONG_TARGET));
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
        chmod("1777", root.resolve("tmp"));
        chmod("4755", root.resolve("usr/bin/tool"));
        setTimes(root, mtime);
        return root;
    }

    static void chmod(String mode, Path p) {
        try {
            Process pr = new ProcessBuilder("chmod", mode, p.toString()).inheritIO().start();
            assertThat(pr.waitFor()).isZero();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static void setTimes(Path root, long mtime) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator)
                Files.getFileAttributeView(p, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(FileTime.from(mtime, java.util.concurrent.TimeUnit.SECONDS), null, null);
        }
    }

    static byte[] tar(LayerWriter w, Path root) throws LayerException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LayerWriter.Written written = w.writeTree(root, out);
        byte[] bytes = out.toByteArray();
        assertThat(written.size()).isEqualTo(bytes.length);
        assertThat(written.diffId()).isEqualTo(Digest.sha256(bytes));
        return bytes;
    }

    static List<TarArchiveEntry> entries(byte[] tar) throws IOException {
        List<TarArchiveEntry> out = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) out.add(e);
        }
        return out;
    }

    @Test
    void sameTreeSameBytesAndClampedTimesHideWhenItWasMade() throws Exception {
        Path a = sampleTree(tmp.resolve("a"), 1_700_000_000L);
        Path b = sampleTree(tmp.resolve("b"), 1_800_000_000L);
        LayerWriter plain = new LayerWriter(w -> {});
        byte[] first = tar(plain, a);
        assertThat(tar(plain, a)).isEqualTo(first);
        assertThat(tar(plain, b)).as("mtimes are recorded").isNotEqualTo(first);

        LayerWriter clamped = new LayerWriter(w -> {}).clampMtimes(Instant.ofEpochSecond(1_600_000_000L));
        byte[] ca = tar(clamped, a);
        assertThat(tar(clamped, b)).isEqualTo(ca);
        assertThat(entries(ca)).allSatisfy(e -> assertThat(e.getLastModifiedTime().toInstant())
                .isBeforeOrEqualTo(Instant.ofEpochSecond(1_600_000_000L)));
        // an epoch later than every mtime changes nothing
        assertThat(tar(new LayerWriter(w -> {}).clampMtimes(Instant.ofEpochSecond(1_750_000_000L)), a)).isEqualTo(first);
    }

    @Test
    void entriesSortedDepthFirstOwnedByRootWithoutSpecialBits() throws Exception {
        Path root = sampleTree(tmp.resolve("t"), 1_700_000_000L);
        List<TarArchiveEntry> es = entries(tar(new LayerWriter(w -> {}), root));
        List<String> names = es.stream().map(TarArchiveEntry::getName).toList();
        assertThat(names).startsWith("bin", "ch/", "ch/environment", "ch/git/", "ch/git/objects/", "ch/git/objects/x",
                LONG_DIR.substring(0, 90) + "/");
        assertThat(names).containsSubsequence("etc/", "etc/long-link", "etc/motd", "etc/na\u00efve-\u65e5\u672c", "tmp/",
                "usr/", "usr/bin/", "usr/bin/big", "usr/bin/tool", "usr/bin/tool-link");
        assertThat(names).contains(LONG_FILE);
        for (TarArchiveEntry e : es) {
            assertThat(e.getLongUserId()).as(e.getName()).isZero();
            assertThat(e.getLongGroupId()).isZero();
            assertThat(e.getUserName()).isEmpty();
            assertThat(e.getMode() & ~0777).as(e.getName()).isZero();
        }
        TarArchiveEntry link = es.stream().filter(e -> e.getName().equals("usr/bin/tool-link")).findFirst().orElseThrow();
        assertThat(link.isLink()).isTrue();
        assertThat(link.getLinkName()).isEqualTo("usr/bin/tool");
        TarArchiveEntry sym = es.stream().filter(e -> e.getName().equals("etc/long-link")).findFirst().orElseThrow();
        assertThat(sym.isSymbolicLink()).isTrue();
        assertThat(sym.getLinkName()).isEqualTo(LONG_TARGET);
    }

    @Test
    void gnuTarListsRootOwnersNoSetuidAndLongNames() throws Exception {
        Path root = sampleTree(tmp.resolve("t"), 1_700_000_000L);
        Path tarFile = tmp.resolve("t.tar");
        Files.write(tarFile, tar(new LayerWriter(w -> {}), root));
        Process p = new ProcessBuilder("tar", "-tvf", tarFile.toString()).redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(listing).isZero();
        for (String line : listing.split("\n")) {
            String[] f = line.split("\\s+");
            assertThat(f[1]).as(line).isEqualTo("0/0");
            assertThat(f[0]).as(line).doesNotContain("s", "S", "t", "T");
        }
        assertThat(listing).contains(LONG_FILE, "usr/bin/tool-link link to usr/bin/tool", "etc/long-link -> " + LONG_TARGET);
    }

    @Test
    void roundTripThroughTheUnpacker() throws Exception {
        Path root = sampleTree(tmp.resolve("t"), 1_700_000_000L);
        byte[] tar = tar(new LayerWriter(w -> {}), root);
        Path out = tmp.resolve("out");
        LayerUnpacker u = new LayerUnpacker(out, w -> {});
        u.apply(new ByteArrayInputStream(tar));
        u.finish();
        assertThat(TreeDigest.of(out, Set.of())).isEqualTo(TreeDigest.of(root, Set.of()));
        assertThat(Files.isSameFile(out.resolve("usr/bin/tool"), out.resolve("usr/bin/tool-link"))).isTrue();
        assertThat(Files.getLastModifiedTime(out.resolve(LONG_FILE)).toInstant()).isEqualTo(Instant.ofEpochSecond(1_700_000_000L));
        // and writing the unpacked tree again gives the same layer
        assertThat(tar(new LayerWriter(w -> {}), out)).isEqualTo(tar);
    }

    @Test
    void exclusionsDevicesAndXattrs() throws Exception {
        Path root = sampleTree(tmp.resolve("t"), 1_700_000_000L);
        Process p = new ProcessBuilder("mkfifo", root.resolve("etc/fifo").toString()).start();
        assertThat(p.waitFor()).isZero();
        var view = Files.getFileAttributeView(root.resolve("etc/motd"), java.nio.file.attribute.UserDefinedFileAttributeView.class);
        boolean xattrsWork;
        try {
            view.write("chj.test", java.nio.ByteBuffer.wrap("v1".getBytes()));
            xattrsWork = true;
        } catch (IOException unsupported) {
            xattrsWork = false;
        }
        List<String> warnings = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LayerWriter.Written w = new LayerWriter(warnings::add).exclude(List.of("ch/git", "usr/bin/big")).xattrs(true)
                .writeTree(root, out);
        List<TarArchiveEntry> es = entries(out.toByteArray());
        assertThat(es).extracting(TarArchiveEntry::getName).doesNotContain("ch/git/", "ch/git/objects/x", "usr/bin/big", "etc/fifo")
                .contains("ch/environment");
        assertThat(w.skipped()).isEqualTo(1);
        assertThat(warnings).singleElement().asString().contains("etc/fifo");
        if (xattrsWork) {
            TarArchiveEntry motd = es.stream().filter(e -> e.getName().equals("etc/motd")).findFirst().orElseThrow();
            assertThat(motd.getExtraPaxHeaders()).containsEntry("SCHILY.xattr.user.chj.test", "v1");
        }
    }

    @Test
    void changesCarryWhiteoutsBeforeSiblingsAndTheirParents() throws Exception {
        Path base = tmp.resolve("base");
        Files.createDirectories(base.resolve("var/cache/apt"));
        Files.createDirectories(base.resolve("opt/app"));
        Files.writeString(base.resolve("var/cache/apt/pkg"), "old\n");
        Files.writeString(base.resolve("opt/app/old"), "old\n");
        Files.writeString(base.resolve("opt/app/keep"), "keep\n");
        Path upper = tmp.resolve("upper");
        Files.createDirectories(upper.resolve("var/cache/apt"));
        Files.createDirectories(upper.resolve("opt/app"));
        Files.writeString(upper.resolve("var/cache/apt/new"), "new\n");
        Files.writeString(upper.resolve("opt/app/keep"), "kept\n");
        Files.writeString(upper.resolve("opt/app/added"), "added\n");
        LayerChanges changes = LayerChanges.builder().add("opt/app/added").add("opt/app/keep").delete("opt/app/old")
                .opaque("var/cache/apt").add("var/cache/apt").build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LayerWriter.Written w = new LayerWriter(x -> {}).write(upper, changes, out);
        assertThat(w.whiteouts()).isEqualTo(2);
        assertThat(entries(out.toByteArray())).extracting(TarArchiveEntry::getName).containsExactly(
                "opt/", "opt/app/", "opt/app/.wh.old", "opt/app/added", "opt/app/keep",
                "var/", "var/cache/", "var/cache/apt/", "var/cache/apt/.wh..wh..opq", "var/cache/apt/new");

        Path applied = tmp.resolve("applied");
        LayerUnpacker u = new LayerUnpacker(applied, x -> {});
        u.apply(new ByteArrayInputStream(tar(new LayerWriter(x -> {}), base)));
        u.apply(new ByteArrayInputStream(out.toByteArray()));
        u.finish();
        assertThat(TreeDigest.of(applied, Set.of())).isEqualTo(TreeDigest.of(upper, Set.of()));
    }

    @Test
    void changesNamingWhatIsNotThereFail() throws Exception {
        Files.createDirectories(tmp.resolve("t/a"));
        Files.writeString(tmp.resolve("t/f"), "x");
        LayerWriter w = new LayerWriter(x -> {});
        assertThatThrownBy(() -> w.write(tmp.resolve("t"), LayerChanges.builder().add("a/missing").build(), new ByteArrayOutputStream()))
                .isInstanceOf(LayerException.class).hasMessageContaining("'a/missing' is not in");
        assertThatThrownBy(() -> w.write(tmp.resolve("t"), LayerChanges.builder().delete("f/x").build(), new ByteArrayOutputStream()))
                .isInstanceOf(LayerException.class).hasMessageContaining("'f' holds changes but is not a directory");
        assertThatThrownBy(() -> LayerChanges.builder().delete("../x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LayerChanges.builder().add("a/.wh.x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void blobCarriesBothDigests() throws Exception {
        Path root = sampleTree(tmp.resolve("t"), 1_700_000_000L);
        byte[] tar = tar(new LayerWriter(w -> {}), root);
        for (Compression c : Compression.values()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            LayerBlob blob = new LayerWriter(w -> {}).writeBlob(root, LayerChanges.wholeTree(), c, 2, out);
            byte[] bytes = out.toByteArray();
            assertThat(blob.digest()).isEqualTo(Digest.sha256(bytes));
            assertThat(blob.size()).isEqualTo(bytes.length);
            assertThat(blob.diffId()).isEqualTo(Digest.sha256(tar));
            assertThat(Compression.detect(bytes, bytes.length)).isEqualTo(c);
            try (var in = Compression.decompress(new ByteArrayInputStream(bytes))) {
                assertThat(in.readAllBytes()).isEqualTo(tar);
            }
        }
    }

    @Test
    void sourceDateEpochIsParsedStrictly() throws Exception {
        assertThat(LayerWriter.sourceDateEpoch(Map.of())).isNull();
        assertThat(LayerWriter.sourceDateEpoch(Map.of("SOURCE_DATE_EPOCH", "1600000000"))).isEqualTo(Instant.ofEpochSecond(1_600_000_000L));
        assertThatThrownBy(() -> LayerWriter.sourceDateEpoch(Map.of("SOURCE_DATE_EPOCH", "yesterday")))
                .isInstanceOf(LayerException.class).hasMessageContaining("SOURCE_DATE_EPOCH");
    }
}
