package chj.layer;

import chj.testing.TarBuilder;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every tar flavour real images contain, as TarBuilder writes it and as GNU tar writes it. */
class TarFlavourTest {

    @TempDir
    Path tmp;

    private static final String LONG_DIR = "very/" + "deep-directory-name/".repeat(7); // 145 bytes
    private static final String LONG_NAME = "x".repeat(120) + ".txt";

    @ParameterizedTest
    @EnumSource(TarBuilder.Format.class)
    void everyBuilderFormatGivesTheSameTree(TarBuilder.Format format) throws Exception {
        TarBuilder b = new TarBuilder(format).dir("etc").file("etc/hostname", "box\n").file("bin/sh", "#!", 0755)
                .symlink("bin/bash", "sh").hardlink("bin/dash", "bin/sh").file("empty", "");
        if (format != TarBuilder.Format.V7) b.file(LONG_DIR + "short", "in a long directory"); // ustar: prefix
        if (format == TarBuilder.Format.GNU || format == TarBuilder.Format.PAX) {
            b.file(LONG_DIR + LONG_NAME, "long").symlink("longlink", "/" + LONG_DIR + LONG_NAME).owner(3_000_000_000L, 70_000_000L);
        }
        Unpacked u = Unpacked.layers(tmp.resolve("img"), b);
        assertThat(u.read("etc/hostname")).isEqualTo("box\n");
        assertThat(u.mode("bin/sh")).isEqualTo(0755);
        assertThat(u.linkTarget("bin/bash")).isEqualTo("sh");
        assertThat(u.inode("bin/dash")).isEqualTo(u.inode("bin/sh"));
        assertThat(u.read("empty")).isEmpty();
        if (format != TarBuilder.Format.V7) assertThat(u.read(LONG_DIR + "short")).isEqualTo("in a long directory");
        if (format == TarBuilder.Format.GNU || format == TarBuilder.Format.PAX) {
            assertThat(u.read(LONG_DIR + LONG_NAME)).isEqualTo("long");
            assertThat(u.linkTarget("longlink")).isEqualTo("/" + LONG_DIR + LONG_NAME);
        }
        assertThat(u.warnings).isEmpty();
    }

    @Test
    void v7OldStyleTypes() throws Exception {
        // v7 knows regular files (NUL type), hard and symbolic links; a trailing slash marks a directory
        Unpacked u = Unpacked.layers(tmp.resolve("img"), new TarBuilder(TarBuilder.Format.V7)
                .file("olddir/", "").type('\0').file("olddir/f", "f").type('\0').file("contig", "c").type('7'));
        assertThat(u.isDir("olddir")).isTrue();
        assertThat(u.read("olddir/f")).isEqualTo("f");
        assertThat(u.read("contig")).isEqualTo("c");
    }

    @Test
    void paxGlobalHeaderIsNotAFile() throws Exception {
        // git archive starts with one: pax_global_header carrying the commit id
        byte[] records = "52 comment=0123456789abcdef0123456789abcdef01234567\n".getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry global = new TarArchiveEntry("pax_global_header", TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER);
        global.setSize(records.length);
        Unpacked u = Unpacked.layers(tmp.resolve("img"), new TarBuilder().raw(global, records).file("a", "a"));
        assertThat(u.tree()).containsExactly("a");
    }

    @Test
    void gnuBase256NumbersAreRead() throws Exception {
        Unpacked u = Unpacked.layers(tmp.resolve("img"), new TarBuilder(TarBuilder.Format.GNU)
                .file("big-ids", "x").owner(5_000_000_000L, 6_000_000_000L).file("pre-epoch", "x").mtime(-1_000_000));
        assertThat(u.read("big-ids")).isEqualTo("x");
        assertThat(u.mtime("pre-epoch")).isEqualTo(-1_000_000);
    }

    @Test
    void garbageInIgnoredNumericFieldsIsTolerated() throws Exception {
        byte[] tar = new TarBuilder(TarBuilder.Format.USTAR).file("f", "content", 0640).dir("d").bytes();
        java.util.Arrays.fill(tar, 100, 108, (byte) 'z');          // mode: not a number
        java.util.Arrays.fill(tar, 108, 124, (byte) 0);            // uid and gid all NUL
        java.util.Arrays.fill(tar, 512 * 2 + 108, 512 * 2 + 116, (byte) 'z'); // the directory's uid: not a number
        fixChecksum(tar, 0);
        fixChecksum(tar, 512 * 2);
        Unpacked u = Unpacked.tars(tmp.resolve("img"), tar);
        assertThat(u.read("f")).isEqualTo("content");
        assertThat(u.mode("f")).isEqualTo(0644);
        assertThat(u.isDir("d")).isTrue();
        assertThat(u.warnings).isEmpty();
    }

    private static void fixChecksum(byte[] tar, int header) {
        java.util.Arrays.fill(tar, header + 148, header + 156, (byte) ' ');
        long sum = 0;
        for (int i = header; i < header + 512; i++) sum += tar[i] & 0xff;
        System.arraycopy(String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII), 0, tar, header + 148, 8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v7", "ustar", "oldgnu", "gnu", "posix"})
    void gnuTarArchivesOfEveryFormat(String format) throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src"));
        Files.createDirectories(src.resolve("etc/ssl"));
        Files.writeString(src.resolve("etc/ssl/cert.pem"), "-----BEGIN-----\n");
        Files.setPosixFilePermissions(Files.writeString(src.resolve("etc/shadow"), "root:*:"), PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(Files.writeString(src.resolve("run.sh"), "#!/bin/sh\n"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.write(src.resolve("binary"), new byte[] {0, 1, 2, (byte) 0xff});
        Files.createFile(src.resolve("empty"));
        Files.createSymbolicLink(src.resolve("etc/ssl/link"), Path.of("cert.pem"));
        Files.createLink(src.resolve("hard"), src.resolve("run.sh"));
        Files.createDirectories(src.resolve("var/empty-dir"));
        boolean longNames = !format.equals("v7");
        if (longNames) {
            Path deep = Files.createDirectories(src.resolve(LONG_DIR));
            Files.writeString(deep.resolve("ustar-prefix.txt"), "prefix");
        }
        if (format.equals("gnu") || format.equals("oldgnu") || format.equals("posix")) {
            Files.writeString(src.resolve(LONG_DIR).resolve(LONG_NAME), "long");
            Files.createSymbolicLink(src.resolve("longlink"), Path.of(LONG_DIR + LONG_NAME));
            Files.writeString(Files.createDirectories(src.resolve("ünïcode")).resolve("café.txt"), "utf-8");
        }
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : (Iterable<Path>) s::iterator)
                Files.getFileAttributeView(p, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(FileTime.fromMillis(1_500_000_000_000L), null, null);
        }
        byte[] tar = run(src, "tar", "--format=" + format, "-C", src.toString(), "-cf", "-", ".");

        Unpacked u = Unpacked.tars(tmp.resolve("img"), tar);
        assertThat(TreeDescription.of(u.root)).isEqualTo(TreeDescription.of(src));
        assertThat(u.inode("hard")).isEqualTo(u.inode("run.sh"));
        assertThat(u.mtime("etc/ssl/cert.pem")).isEqualTo(1_500_000_000L);
        assertThat(u.mtime("etc/ssl")).isEqualTo(1_500_000_000L);
        assertThat(u.warnings).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu", "oldgnu", "posix", "posix:0.0", "posix:0.1"})
    void sparseFilesKeepContentAndHoles(String format) throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src"));
        Path sparse = src.resolve("lastlog");
        long size = 64L << 20;
        try (var ch = java.nio.channels.FileChannel.open(sparse, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap("middle".getBytes()), 20L << 20);
            ch.write(java.nio.ByteBuffer.wrap("end".getBytes()), size - 3);
        }
        Files.createFile(src.resolve("holes-only"));
        try (var raf = new java.io.RandomAccessFile(src.resolve("holes-only").toFile(), "rw")) {
            raf.setLength(1 << 20);
        }
        String[] f = format.split(":");
        List<String> cmd = new ArrayList<>(List.of("tar", "--format=" + f[0], "--sparse"));
        if (f.length > 1) cmd.add("--sparse-version=" + f[1]);
        cmd.addAll(List.of("-C", src.toString(), "-cf", "-", "lastlog", "holes-only"));
        byte[] tar = run(src, cmd.toArray(String[]::new));
        assertThat(tar.length).isLessThan(1 << 20); // GNU tar did store it sparse

        Unpacked u = Unpacked.tars(tmp.resolve("img"), tar);
        assertThat(Files.size(u.path("lastlog"))).isEqualTo(size);
        assertThat(digest(u.path("lastlog"))).isEqualTo(digest(sparse));
        assertThat(allocatedBytes(u.path("lastlog"))).isLessThan(1 << 20);
        assertThat(Files.size(u.path("holes-only"))).isEqualTo(1 << 20);
        assertThat(Files.readAllBytes(u.path("holes-only"))).containsOnly(0);
        assertThat(u.last().bytes()).isEqualTo(size + (1 << 20));
    }

    @Test
    void nonUtf8NamesDoNotStopTheUnpack() throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src"));
        // a Latin-1 name (0xE9), made by the shell: Java cannot name it in a UTF-8 locale
        run(src, "sh", "-c", "printf x > \"$(printf 'caf\\351')\" && printf y > ok");
        byte[] tar = run(src, "tar", "--format=gnu", "-C", src.toString(), "-cf", "-", ".");
        Unpacked u = Unpacked.tars(tmp.resolve("img"), tar);
        assertThat(u.read("ok")).isEqualTo("y");
        assertThat(u.list("")).hasSize(2);
    }

    private static String digest(Path p) throws IOException {
        return TreeDescription.digest(p);
    }

    private static long allocatedBytes(Path p) throws Exception {
        return Long.parseLong(new String(run(p.getParent(), "stat", "-c", "%b", p.toString())).trim()) * 512;
    }

    private static byte[] run(Path cwd, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).as(String.join(" ", cmd)).isZero();
        return out;
    }
}
