package chj.image;

import static org.assertj.core.api.Assertions.assertThat;

import chj.layer.LayerChanges;
import chj.layer.LayerUnpacker;
import chj.layer.LayerWriter;
import chj.oci.Digest;
import chj.testing.TarBuilder;
import chj.testing.TreeDigest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot a pull leaves and what push makes of it: nothing for an untouched tree, and for a
 * changed one a layer that turns the pulled tree into the changed one, whatever the change.
 */
class TreeSnapshotTest {

    static final Digest MANIFEST = Digest.sha256("manifest".getBytes());

    @TempDir
    Path tmp;

    /** What the pulled layers make: unpacked as a pull does it. */
    static TarBuilder pulledLayer() {
        return new TarBuilder().dir("etc").file("etc/motd", "hello\n").file("etc/keep", "keep\n").symlink("etc/link", "motd")
                .dir("usr").dir("usr/bin").file("usr/bin/tool", "#!/bin/sh\n", 0755).file("usr/bin/same-size", "aaaa")
                .dir("var").dir("var/cache").file("var/cache/a", "a").dir("var/cache/sub").file("var/cache/sub/b", "b")
                .file("was-file", "f").dir("was-dir").file("was-dir/x", "x").dir("opt", 0755).file("lonely", "l")
                .dir("ch").file("ch/environment", "A=1\n");
    }

    Path unpack(String name) throws Exception {
        Path root = Files.createDirectory(tmp.resolve(name));
        LayerUnpacker u = new LayerUnpacker(root, w -> {});
        u.apply(new ByteArrayInputStream(pulledLayer().bytes()));
        u.finish();
        return root;
    }

    @Test
    void untouchedTreeHasNoChangesAndRecordsItsOrigin() throws Exception {
        Path root = unpack("img");
        TreeSnapshot.record(root, MANIFEST, "127.0.0.1:5000/some/repo");
        Thread.sleep(20);
        Files.writeString(root.resolve("ch/environment"), "B=2\n"); // ch/ is chj's, never part of a layer
        TreeSnapshot s = TreeSnapshot.read(root);
        assertThat(s.manifest()).isEqualTo(MANIFEST);
        assertThat(s.source()).isEqualTo("127.0.0.1:5000/some/repo");
        assertThat(s.size()).isEqualTo(18);
        TreeSnapshot.Changes c = s.compare(root);
        assertThat(c.none()).as(c.layer().added() + " " + c.layer().deleted() + " " + c.layer().directories()).isTrue();
    }

    @Test
    void noSnapshotIsNullAndAForeignFileIsAnError() throws Exception {
        Path root = unpack("img");
        assertThat(TreeSnapshot.read(root)).isNull();
        Files.writeString(TreeSnapshot.file(root), "something else");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TreeSnapshot.read(root))
                .hasMessageContaining("not a tree snapshot");
    }

    @Test
    void changesBecomeOneLayerThatTurnsThePulledTreeIntoTheChangedOne() throws Exception {
        Path root = unpack("img");
        Path lower = unpack("lower");   // the pulled tree, as a later pull of the pushed image starts from
        TreeSnapshot.record(root, MANIFEST, "");
        Thread.sleep(20);

        Files.writeString(root.resolve("etc/new"), "new\n");                         // added file
        Files.createDirectories(root.resolve("srv/data"));                          // added tree
        Files.writeString(root.resolve("srv/data/f"), "f");
        Files.writeString(root.resolve("etc/motd"), "changed, longer\n");          // content
        Files.writeString(root.resolve("usr/bin/same-size"), "bbbb");               // same size, new content
        Files.setLastModifiedTime(root.resolve("usr/bin/same-size"),
                Files.getLastModifiedTime(root.resolve("etc/keep")));               // even with the old mtime
        Files.setPosixFilePermissions(root.resolve("usr/bin/tool"), PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(root.resolve("opt"), PosixFilePermissions.fromString("rwx------")); // dir mode only
        Files.delete(root.resolve("lonely"));                                        // deleted file
        Files.delete(root.resolve("var/cache/sub/b"));                               // deleted tree
        Files.delete(root.resolve("var/cache/sub"));
        Files.delete(root.resolve("etc/link"));                                      // symlink retargeted
        Files.createSymbolicLink(root.resolve("etc/link"), Path.of("keep"));
        Files.delete(root.resolve("was-file"));                                      // file → directory
        Files.createDirectory(root.resolve("was-file"));
        Files.writeString(root.resolve("was-file/inside"), "i");
        Files.delete(root.resolve("was-dir/x"));                                     // directory → symlink
        Files.delete(root.resolve("was-dir"));
        Files.createSymbolicLink(root.resolve("was-dir"), Path.of("etc"));
        Files.createLink(root.resolve("etc/hard"), root.resolve("etc/keep"));       // new hard link

        TreeSnapshot.Changes c = TreeSnapshot.read(root).compare(root);
        LayerChanges l = c.layer();
        assertThat(l.added()).containsExactlyInAnyOrder("etc/hard", "etc/keep", "etc/link", "etc/motd", "etc/new", "srv",
                "usr/bin/same-size", "usr/bin/tool", "was-dir", "was-file");
        assertThat(l.deleted()).containsExactlyInAnyOrder("lonely", "var/cache/sub", "was-dir", "was-file");
        assertThat(l.directories()).contains("opt").doesNotContain("usr", "var/cache/sub");
        assertThat(c.deleted()).isEqualTo(2);
        assertThat(c.toString()).contains("deleted");

        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        new LayerWriter(w -> {}).write(root, l, tar);
        LayerUnpacker u = new LayerUnpacker(lower, w -> {});
        u.apply(new ByteArrayInputStream(tar.toByteArray()));
        u.finish();
        assertThat(TreeDigest.of(lower, Set.of("ch"))).isEqualTo(TreeDigest.of(root, Set.of("ch")));
        assertThat(Files.isSameFile(lower.resolve("etc/hard"), lower.resolve("etc/keep"))).isTrue();
    }
}
