package chj.convert;

import chj.oci.Digest;
import chj.testing.TarBuilder;
import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;
import chj.testing.TestImages;
import chj.testing.TestRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static chj.convert.ConvertFixture.convert;
import static chj.convert.ConvertFixture.convertHereCaptured;
import static chj.convert.ConvertFixture.read;
import static chj.convert.ConvertFixture.tool;
import static org.assertj.core.api.Assertions.assertThat;

/** ch-convert through its launcher: reproducible SquashFS that ch-run runs, --no-clobber, -n, failures, missing engines. */
class ConvertIT {

    Path work;
    String store;

    @BeforeEach
    void setUp() {
        work = TestEnv.userDir("chj-convert-");
        store = work.resolve("store").toString();
    }

    @AfterEach
    void tearDown() throws IOException {
        FileTrees.delete(work);
    }

    /** An image with no mount points at all: only what ch-convert must add for ch-run. */
    Path bareImage(String name) throws IOException {
        Path root = work.resolve(name);
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("ch"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
        for (String a : List.of("sh", "ls", "cat", "echo"))
            Files.createSymbolicLink(root.resolve("bin").resolve(a), Path.of("busybox"));
        Files.writeString(root.resolve("ch/environment"), "IMG_VAR=from-convert\n");
        return root;
    }

    /** ch-convert in this JVM, messages captured. */
    static Result cv(String... args) {
        return convertHereCaptured(args);
    }

    static void assertOk(Result r) {
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    static void assertFails(Result r, String message) {
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).as(r.toString()).contains("ch-convert: error: " + message);
        assertThat(r.err()).doesNotContain("\tat ");
    }

    /** Nothing named after {@code out} is left in its directory: neither OUT nor a temporary. */
    static void assertNothingLeft(Path out) throws IOException {
        assertThat(out).doesNotExist();
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(out.getFileName().toString()));
        }
    }

    @Test
    void squashIsReproducibleAndRunsUnprivileged() throws Exception {
        Path bare = bareImage("bare");
        assertOk(cv("-s", store, bare.toString(), "bare"));
        Path a = work.resolve("a.sqfs"), b = work.resolve("b.sqfs");
        Result r = convert("-s", store, "bare", a.toString()); // the launcher, once
        assertOk(r);
        assertThat(r.err()).contains("input:   ch-image  bare", "output:  squash    " + a, "done");
        Thread.sleep(1100); // a later second must not show
        assertOk(cv("-s", store, "bare", b.toString()));
        assertThat(Files.readAllBytes(b)).isEqualTo(Files.readAllBytes(a));
        assertThat(Arrays.copyOfRange(Files.readAllBytes(a), 8, 12)).as("superblock mtime").containsOnly(0);

        // through a tarball, unpacked in scratch space each time: still the same bytes
        Path tgz = work.resolve("bare.tar.gz");
        assertOk(cv(bare.toString(), tgz.toString()));
        Path c = work.resolve("c.sqfs"), d = work.resolve("d.sqfs");
        assertOk(cv(tgz.toString(), c.toString()));
        Thread.sleep(1100);
        assertOk(cv(tgz.toString(), d.toString()));
        assertThat(Files.readAllBytes(d)).isEqualTo(Files.readAllBytes(c));

        // root-owned, with the mount points ch-run needs added, and not changed in the source
        String listing = tool("unsquashfs", "-lln", c.toString());
        for (String line : listing.split("\n"))
            if (line.startsWith("d") || line.startsWith("-") || line.startsWith("l")) assertThat(line).contains(" 0/0 ");
        assertThat(listing).contains("squashfs-root/dev\n", "squashfs-root/proc\n", "squashfs-root/mnt/9\n",
                "squashfs-root/etc/hosts\n", "squashfs-root/etc/resolv.conf\n", "squashfs-root/usr\n");
        assertThat(bare.resolve("dev")).doesNotExist();

        Result run = TestEnv.runAsUser(List.of(TestEnv.bin("ch-run"), "--set-env", c.toString(), "--",
                "/bin/sh", "-c", "echo \"ok $IMG_VAR\"; ls /mnt"));
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("ok from-convert\n0\n1\n");
    }

    @Test
    void tarballsAreReproducibleUnderSourceDateEpoch() throws Exception {
        Path one = bareImage("one"), two = bareImage("two");
        Files.setLastModifiedTime(two.resolve("ch/environment"), FileTime.fromMillis(System.currentTimeMillis() + 3_600_000));
        Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", "1600000000");
        Path t1 = work.resolve("one.tar.gz"), t2 = work.resolve("two.tar.gz");
        assertOk(convert(env, one.toString(), t1.toString()));
        assertOk(convert(env, two.toString(), t2.toString()));
        assertThat(Files.readAllBytes(t2)).isEqualTo(Files.readAllBytes(t1));
        tool("gzip", "-t", t1.toString());
        String listing = tool("tar", "-tvzf", t1.toString());
        assertThat(listing).contains("bin/busybox").doesNotContain("root/root");
        for (String line : listing.split("\n")) assertThat(line.split("\\s+")[1]).isEqualTo("0/0");
        // without the epoch the later mtime shows
        Path t3 = work.resolve("three.tar.gz");
        assertOk(cv(two.toString(), t3.toString()));
        assertThat(Files.readAllBytes(t3)).isNotEqualTo(Files.readAllBytes(t1));

        Path zst = work.resolve("one.tar.zst");
        assertOk(cv(one.toString(), zst.toString()));
        assertThat(ConvertFixture.untar(zst, work.resolve("zst-back")).resolve("bin/busybox")).exists();
        assertFails(cv(one.toString(), work.resolve("one.tar.xz").toString()), "unsupported tarball name");
    }

    @Test
    void noClobberRefusesEveryExistingOutput() throws Exception {
        Path src = ConvertFixture.busyboxImage(work.resolve("src"));
        Map<String, String> outs = new HashMap<>();
        outs.put("ch-image", "existing");
        outs.put("dir", work.resolve("existing-dir").toString());
        outs.put("tar", work.resolve("existing.tgz").toString());
        outs.put("squash", work.resolve("existing.sqfs").toString());
        outs.put("oci", work.resolve("existing.oci").toString());
        Path tgz = work.resolve("src.tgz");
        assertOk(cv(src.toString(), tgz.toString()));
        for (var e : outs.entrySet()) {
            String in = e.getKey().equals("dir") ? tgz.toString() : src.toString();
            assertOk(cv("-s", store, "-o", e.getKey(), in, e.getValue()));
            Path made = e.getKey().equals("ch-image") ? Path.of(store, "img", "existing") : Path.of(e.getValue());
            Object before = Files.readAttributes(made, BasicFileAttributes.class).fileKey(); // the inode: replaced or not
            Result again = cv("-s", store, "--no-clobber", "-o", e.getKey(), in, e.getValue());
            assertFails(again, "exists");
            assertThat(again.err()).contains("not deleting per --no-clobber");
            assertThat(Files.readAttributes(made, BasicFileAttributes.class).fileKey()).as(e.getKey()).isEqualTo(before);
            // without --no-clobber it is replaced
            Result replace = cv("-s", store, "-o", e.getKey(), in, e.getValue());
            assertOk(replace);
            assertThat(Files.readAttributes(made, BasicFileAttributes.class).fileKey()).as(e.getKey()).isNotEqualTo(before);
        }
        // a directory that is not an image is never replaced
        Path notImage = Files.createDirectories(work.resolve("precious"));
        Files.writeString(notImage.resolve("thesis.tex"), "years of work");
        assertFails(cv(tgz.toString(), notImage.toString()), "exists but does not appear to be an image: " + notImage);
        assertThat(notImage.resolve("thesis.tex")).exists();
        // an empty directory is used
        Path empty = Files.createDirectories(work.resolve("empty"));
        assertOk(cv(tgz.toString(), empty.toString()));
        assertThat(empty.resolve("bin/busybox")).exists();
    }

    @Test
    void dryRunValidatesAndWritesNothing() throws Exception {
        Path src = ConvertFixture.busyboxImage(work.resolve("src"));
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        for (String out : List.of("x.sqfs", "x.tar.gz", "x.oci")) {
            Path o = work.resolve(out);
            Result r = cv("-s", store, "--tmp", tmp.toString(), "-n", src.toString(), o.toString());
            assertOk(r);
            assertThat(r.err()).contains("input:   dir", "dry run: nothing converted");
            assertNothingLeft(o);
        }
        Result storeOut = cv("-s", store, "-n", src.toString(), "dry");
        assertOk(storeOut);
        assertThat(Path.of(store)).as("a dry run makes no store").doesNotExist();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).isEmpty();
        }
        // -n still checks what it can
        assertFails(cv("-n", work.resolve("missing.tar").toString(), work.resolve("y.sqfs").toString()), "not found: ");
    }

    @Test
    void failuresLeaveNoOutputAndNoScratch() throws Exception {
        Path src = ConvertFixture.busyboxImage(work.resolve("src"));
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Path tgz = work.resolve("good.tar.gz");
        assertOk(cv(src.toString(), tgz.toString()));
        byte[] whole = Files.readAllBytes(tgz);
        Path cut = work.resolve("cut.tar.gz");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        for (String out : List.of("from-cut", "from-cut.sqfs", "from-cut.oci", "from-cut.tar.zst")) {
            Path o = work.resolve(out);
            Result r = cv("--tmp", tmp.toString(), cut.toString(), o.toString());
            assertThat(r.exit()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).contains("ch-convert: error: ").contains(cut.toString());
            assertNothingLeft(o);
        }
        Result toStore = cv("-s", store, cut.toString(), "from-cut");
        assertThat(toStore.exit()).isEqualTo(1);
        assertThat(Path.of(store, "img", "from-cut")).doesNotExist();
        try (Stream<Path> s = Files.list(Path.of(store, "tmp"))) {
            assertThat(s).as("store staging left").isEmpty();
        }

        // an OCI config whose bytes do not match its digest
        Path oci = work.resolve("bad.oci");
        assertOk(cv("-s", store, src.toString(), oci.toString()));
        JsonNode index = new ObjectMapper().readTree(oci.resolve("index.json").toFile());
        Path manifestBlob = blob(oci, index.get("manifests").get(0).get("digest").asText());
        JsonNode manifest = new ObjectMapper().readTree(manifestBlob.toFile());
        Path configBlob = blob(oci, manifest.get("config").get("digest").asText());
        String config = read(configBlob);
        Files.writeString(configBlob, config.replace("IMG_VAR=converted", "IMG_VAR=CONVERTED"), StandardCharsets.UTF_8);
        Result corrupt = cv("--tmp", tmp.toString(), oci.toString(), work.resolve("from-bad").toString());
        assertFails(corrupt, oci + ": config " + manifest.get("config").get("digest").asText() + " is corrupt");
        assertNothingLeft(work.resolve("from-bad"));

        // a layer blob changed in place: same size, other bytes
        Files.writeString(configBlob, config, StandardCharsets.UTF_8);
        Path layer = blob(oci, manifest.get("layers").get(0).get("digest").asText());
        try (RandomAccessFile f = new RandomAccessFile(layer.toFile(), "rw")) {
            f.seek(f.length() - 9); // inside the gzip trailer's CRC: inflating works, the digest does not
            int x = f.read();
            f.seek(f.length() - 9);
            f.write(x ^ 0xff);
        }
        Result badLayer = cv("--tmp", tmp.toString(), oci.toString(), work.resolve("from-bad").toString());
        assertThat(badLayer.exit()).as(badLayer.toString()).isEqualTo(1);
        assertThat(badLayer.err()).contains("layer " + manifest.get("layers").get(0).get("digest").asText());
        assertNothingLeft(work.resolve("from-bad"));
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).as("scratch left").isEmpty();
        }
    }

    static Path blob(Path layout, String digest) {
        return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    @Test
    void enginesThatAreNotThereSaySo() throws Exception {
        Path src = bareImage("bare");
        Result docker = cv("-o", "docker", src.toString(), "chj-test-image");
        assertFails(docker, "docker not available: ");
        Result podman = cv("-n", "-i", "podman", "some-image", work.resolve("x.sqfs").toString());
        assertFails(podman, "podman not available: ");
        Result noPath = convert(Map.of("PATH", "/nonexistent"), "-o", "docker", src.toString(), "chj-test-image");
        assertFails(noPath, "docker not available: docker not found on PATH");
    }

    @Test
    void badArgumentsAreOneLineErrors() throws Exception {
        Path src = bareImage("bare");
        assertFails(cv(src.toString(), work.resolve("other").toString()), "input and output formats must be different");
        assertFails(cv("-i", "zip", src.toString(), "x"), "invalid format: zip");
        assertFails(cv("-s", store, "no-such-image", work.resolve("x.sqfs").toString()),
                "source image not found in ch-image storage: no-such-image");
        assertFails(cv(work.resolve("nope.sqfs").toString(), work.resolve("y").toString()), "not found: ");
        assertFails(cv(src.toString(), work.resolve("no/such/dir/x.sqfs").toString()), "not a directory: ");
        assertFails(cv("--tmp", "relative", src.toString(), work.resolve("x.sqfs").toString()), "temp dir must be absolute: relative");
        Result usage = convert(src.toString());
        assertThat(usage.exit()).isEqualTo(1);
        assertThat(usage.err()).contains("ch-convert: error: missing OUT");
    }

    @Test
    void anUnprivilegedUserConvertsRootOwnedImagesAndRunsThem() throws Exception {
        // the image belongs to root and is only readable, as a site-provided one would be
        Path site = Files.createTempDirectory(Path.of("/var/tmp"), "chj-convert-site-");
        try {
            Files.setPosixFilePermissions(site, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path img = ConvertFixture.busyboxImage(site.resolve("img"));
            tool("chmod", "-R", "a+rX,go-w", img.toString());
            String userStore = work.resolve("user-store").toString();
            Path sqfs = work.resolve("user.sqfs");
            for (List<String> args : List.of(List.of("-s", userStore, img.toString(), "mine"),
                    List.of("-s", userStore, "mine", work.resolve("mine.oci").toString()),
                    List.of(work.resolve("mine.oci").toString(), sqfs.toString()))) {
                List<String> cmd = new java.util.ArrayList<>(List.of(TestEnv.bin("ch-convert")));
                cmd.addAll(args);
                Result r = TestEnv.runAsUser(cmd);
                assertThat(r.exit()).as(r.toString()).isZero();
            }
            Result run = TestEnv.runAsUser(List.of(TestEnv.bin("ch-run"), "--set-env", sqfs.toString(), "--",
                    "/bin/sh", "-c", "cat /" + ConvertFixture.HARD_B + "; echo $IMG_VAR"));
            assertThat(run.exit()).as(run.toString()).isZero();
            assertThat(run.out()).isEqualTo("linked twice\nconverted\n");
        } finally {
            FileTrees.delete(site);
        }
    }

    @Test
    void pulledImageKeepsItsRegistryLayers() throws Exception {
        TestRegistry reg = TestRegistry.local();
        String repo = TestRegistry.uniqueRepo("convert");
        TarBuilder lower = new TarBuilder().dir("etc").file("etc/motd", "lower\n").dir("bin").file("bin/x", "x", 0755);
        TarBuilder upper = new TarBuilder().file("etc/motd", "upper\n").whiteout("bin/x");
        TestImages.Image img = TestImages.push(reg, repo, "v1", "amd64", null, List.of("FROM_REGISTRY=yes"),
                List.of(TestImages.gzip(lower), TestImages.plain(upper))); // Debian's umoci reads no zstd
        Result pull = TestEnv.run(List.of(TestEnv.bin("ch-image"), "-s", store, "pull", reg.ref(repo, "v1")));
        assertOk(pull);

        Path oci = work.resolve("pulled.oci");
        assertOk(cv("-s", store, reg.ref(repo, "v1"), oci.toString()));
        JsonNode index = new ObjectMapper().readTree(oci.resolve("index.json").toFile());
        JsonNode entry = index.get("manifests").get(0);
        assertThat(entry.get("digest").asText()).as("the registry's manifest, as is").isEqualTo(img.manifest().toString());
        assertThat(entry.get("annotations").get("org.opencontainers.image.ref.name").asText()).isEqualTo("v1");
        String inspect = tool("skopeo", "inspect", "oci:" + oci + ":v1");
        assertThat(inspect).contains("FROM_REGISTRY=yes");
        Path bundle = work.resolve("bundle");
        ConvertFixture.umoci(oci, "v1", bundle, null);
        assertThat(read(bundle.resolve("rootfs/etc/motd"))).isEqualTo("upper\n");
        assertThat(bundle.resolve("rootfs/bin/x")).doesNotExist();

        // once the image changes, its tree is what counts: one new layer
        Path motd = Path.of(store, "img", reg.ref(repo, "v1").replace('/', '%').replace(':', '+'), "etc/motd");
        Files.writeString(motd, "changed\n");
        Path changed = work.resolve("changed.oci");
        assertOk(cv("-s", store, reg.ref(repo, "v1"), changed.toString()));
        JsonNode m2 = new ObjectMapper().readTree(blob(changed,
                new ObjectMapper().readTree(changed.resolve("index.json").toFile()).get("manifests").get(0).get("digest").asText()).toFile());
        assertThat(m2.get("layers")).hasSize(1);
        Path bundle2 = work.resolve("bundle2");
        ConvertFixture.umoci(changed, "v1", bundle2, null);
        assertThat(read(bundle2.resolve("rootfs/etc/motd"))).isEqualTo("changed\n");
        assertThat(Digest.sha256(Files.readAllBytes(blob(changed, m2.get("config").get("digest").asText()))).toString())
                .isEqualTo(m2.get("config").get("digest").asText());
    }
}
