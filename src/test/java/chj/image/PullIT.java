package chj.image;

import static org.assertj.core.api.Assertions.assertThat;

import chj.oci.Digest;
import chj.testing.FaultProxy;
import chj.testing.TarBuilder;
import chj.testing.TestEnv;
import chj.testing.TreeDigest;
import chj.testing.TestEnv.Result;
import chj.testing.TestImages;
import chj.testing.TestRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ch-image pull end to end: the real CLI against the real loopback registry. */
class PullIT {

    static TestRegistry reg;

    @TempDir
    Path tmp;

    @BeforeAll
    static void registry() {
        reg = TestRegistry.local();
    }

    static Result chImage(Path store, String... args) {
        List<String> cmd = new ArrayList<>(List.of(TestEnv.bin("ch-image"), "-s", store.toString()));
        cmd.addAll(List.of(args));
        return TestEnv.run(cmd);
    }

    static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    static TarBuilder base() {
        return new TarBuilder().dir("etc").file("etc/os-release", "ID=test\n").dir("bin").file("bin/tool", "#!/bin/sh\n", 0755)
                .dir("data").file("data/keep", "keep").file("data/gone", "gone").dir("opq").file("opq/lower", "lower")
                .file("usr-file", "x").symlink("abs-link", "/etc/os-release").symlink("up-link", "../../../etc/passwd")
                .file("suid", "s", 04755).dir("ro", 0555).file("ro/inside", "r", 0444);
    }

    @Test
    void multiLayerPullAppliesWhiteoutsLinksAndFlattening() throws Exception {
        String repo = TestRegistry.uniqueRepo("multi");
        TarBuilder upper = new TarBuilder().whiteout("data/gone").opaque("opq").file("opq/upper", "upper")
                .hardlink("hard", "data/keep").dir("usr-file").file("usr-file/now-a-dir", "d");
        TestImages.Image img = TestImages.push(reg, repo, "v1", "amd64", null, List.of("FOO=bar", "PATH=/bin"),
                List.of(TestImages.gzip(base()), TestImages.zstd(upper), TestImages.plain(new TarBuilder().file("third", "3"))));
        Path store = tmp.resolve("store");
        Result r = chImage(store, "pull", reg.ref(repo, "v1"));
        assertThat(r.exit()).as(r.toString()).isZero();

        Path root = store.resolve("img").resolve((reg.authority() + "/" + repo + ":v1").replace('/', '%').replace(':', '+'));
        assertThat(read(root.resolve("etc/os-release"))).isEqualTo("ID=test\n");
        assertThat(root.resolve("data/gone")).doesNotExist();
        assertThat(read(root.resolve("data/keep"))).isEqualTo("keep");
        assertThat(root.resolve("opq/lower")).doesNotExist();
        assertThat(read(root.resolve("opq/upper"))).isEqualTo("upper");
        assertThat(Files.readSymbolicLink(root.resolve("abs-link")).toString()).isEqualTo("/etc/os-release");
        assertThat(Files.readSymbolicLink(root.resolve("up-link")).toString()).isEqualTo("../../../etc/passwd");
        assertThat(Files.isSameFile(root.resolve("hard"), root.resolve("data/keep"))).isTrue();
        assertThat(read(root.resolve("usr-file/now-a-dir"))).isEqualTo("d");
        assertThat(read(root.resolve("third"))).isEqualTo("3");
        // flattening: no setuid, everything manageable by the user
        Set<PosixFilePermission> suid = Files.getPosixFilePermissions(root.resolve("suid"));
        assertThat(suid).contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
        assertThat((int) Files.getAttribute(root.resolve("suid"), "unix:mode") & 06000).isZero();
        assertThat(Files.getPosixFilePermissions(root.resolve("ro"))).contains(PosixFilePermission.OWNER_WRITE);
        // metadata as Charliecloud has it, plus our config and manifest record
        assertThat(read(root.resolve("ch/environment"))).contains("FOO=bar");
        assertThat(read(root.resolve("ch/metadata.json"))).contains("\"FOO\": \"bar\"");
        assertThat(Digest.sha256(Files.readAllBytes(root.resolve("ch/config.json")))).isEqualTo(img.config());
        assertThat(Digest.sha256(Files.readAllBytes(root.resolve("ch/manifest.json")))).isEqualTo(img.manifest());
        for (String d : List.of("dev", "proc", "sys", "tmp", "mnt/0", "mnt/9")) assertThat(root.resolve(d)).isDirectory();
        assertThat(Files.list(store.resolve("tmp")).count()).as("staging left behind").isZero();

        Result again = chImage(store, "pull", reg.ref(repo, "v1"));
        assertThat(again.exit()).isZero();
        assertThat(again.err()).contains("up to date");

        Result list = chImage(store, "list");
        assertThat(list.out().lines()).contains(reg.ref(repo, "v1"));
        Result del = chImage(store, "delete", reg.authority() + "/" + repo + ":*");
        assertThat(del.exit()).as(del.toString()).isZero();
        assertThat(root).doesNotExist();
        Result delAgain = chImage(store, "delete", reg.ref(repo, "v1"));
        assertThat(delAgain.exit()).isEqualTo(1);
        assertThat(delAgain.err()).contains("no matching image");
    }

    @Test
    void architectureIsChosenFromTheIndex() throws Exception {
        String repo = TestRegistry.uniqueRepo("multiarch");
        List<TestImages.Entry> entries = new ArrayList<>();
        for (String[] p : new String[][] {{"amd64", null}, {"arm64", "v8"}, {"arm", "v7"}, {"unknown", null}}) {
            TestImages.Image i = TestImages.push(reg, repo, null, p[0], p[1], List.of(),
                    List.of(TestImages.gzip(new TarBuilder().file("arch", p[0] + (p[1] == null ? "" : "/" + p[1])))));
            entries.add(new TestImages.Entry(i, p[0].equals("unknown") ? "unknown" : "linux", p[0], p[1]));
        }
        TestImages.pushIndex(reg, repo, "multi", entries);
        Path store = tmp.resolve("store");
        String ref = reg.ref(repo, "multi");

        Result arm64 = chImage(store, "pull", "--arch", "arm64", ref, "img-arm64");
        assertThat(arm64.exit()).as(arm64.toString()).isZero();
        assertThat(read(store.resolve("img/img-arm64/arch"))).isEqualTo("arm64/v8");
        Result arm = chImage(store, "--arch=arm/v7", "pull", ref, "img-arm");
        assertThat(arm.exit()).as(arm.toString()).isZero();
        assertThat(read(store.resolve("img/img-arm/arch"))).isEqualTo("arm/v7");
        Result none = chImage(store, "pull", "--arch", "ppc64le", ref, "img-ppc");
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("ppc64le").contains("amd64").contains("arm64/v8");
        assertThat(store.resolve("img/img-ppc")).doesNotExist();

        Result details = chImage(store, "list", ref);
        assertThat(details.exit()).as(details.toString()).isZero();
        assertThat(details.out()).contains("remote arch-aware:   yes").contains("arm/v7").contains("arm64/v8")
                .doesNotContain("unknown");
    }

    @Test
    void hostileMembersNeverEscapeTheImage() throws Exception {
        String repo = TestRegistry.uniqueRepo("hostile");
        String outside = "chj-escape-" + System.nanoTime();
        TarBuilder evil = new TarBuilder().file("../../../../tmp/" + outside, "x").file("/abs-file", "abs")
                .symlink("link", "/tmp").file("link/" + outside, "through link").device("dev/null-dev");
        TestImages.push(reg, repo, "evil", "amd64", null, List.of(), List.of(TestImages.gzip(evil)));
        Path store = tmp.resolve("store");
        Result r = chImage(store, "pull", reg.ref(repo, "evil"), "evil");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(Path.of("/tmp", outside)).doesNotExist();
        assertThat(read(store.resolve("img/evil/abs-file"))).isEqualTo("abs");
        assertThat(Files.isSymbolicLink(store.resolve("img/evil/link"))).isTrue();
        assertThat(r.err()).contains("warning");
    }

    @Test
    void wrongDiffIdFailsAndLeavesTheStoreAsItWas() throws Exception {
        String repo = TestRegistry.uniqueRepo("baddiff");
        byte[] tar = new TarBuilder().file("a", "a").bytes();
        Digest layer = reg.putBlob(repo, TarBuilder.gzip(tar));
        byte[] config = TestRegistry.json(java.util.Map.of("architecture", "amd64", "os", "linux",
                "rootfs", java.util.Map.of("type", "layers", "diff_ids", List.of("sha256:" + "0".repeat(64)))));
        Digest cfg = reg.putBlob(repo, config);
        byte[] manifest = TestRegistry.json(java.util.Map.of("schemaVersion", 2, "mediaType", TestRegistry.OCI_MANIFEST,
                "config", TestRegistry.descriptor(TestRegistry.OCI_CONFIG, cfg, config.length),
                "layers", List.of(TestRegistry.descriptor(TestRegistry.OCI_LAYER_GZIP, layer, TarBuilder.gzip(tar).length))));
        reg.putManifest(repo, "bad", TestRegistry.OCI_MANIFEST, manifest);
        Path store = tmp.resolve("store");
        Result r = chImage(store, "pull", reg.ref(repo, "bad"), "bad");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("DiffID").contains(Digest.sha256(tar).toString()).contains("0".repeat(64));
        assertThat(store.resolve("img/bad")).doesNotExist();
        assertThat(Files.list(store.resolve("tmp")).count()).isZero();
        assertThat(r.err().lines().filter(l -> l.contains("error")).count()).isEqualTo(1);
    }

    @Test
    void missingImageSaysNotFound() throws Exception {
        Path store = tmp.resolve("store");
        Result r = chImage(store, "pull", reg.ref(TestRegistry.uniqueRepo("nope"), "nope"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).containsIgnoringCase("not found");
        assertThat(r.err()).doesNotContain("Exception");
    }

    @Test
    void missingImageBehindA401RegistryIsNotFoundToo() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(reg.authority()).missingStatus(401)) {
            Path store = tmp.resolve("store");
            Result r = chImage(store, "pull", proxy.authority() + "/" + TestRegistry.uniqueRepo("nope") + ":x");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).containsIgnoringCase("not found");
        }
    }

    @Test
    void credentialsComeFromTheEnvironmentAndAuthModeWithoutThemFailsClearly() throws Exception {
        String repo = TestRegistry.uniqueRepo("private");
        TestImages.push(reg, repo, "t", "amd64", null, List.of(), List.of(TestImages.gzip(new TarBuilder().file("secret", "s"))));
        try (FaultProxy proxy = FaultProxy.start(reg.authority()).auth(FaultProxy.Auth.BEARER, "alice", "pa55word")) {
            String ref = proxy.authority() + "/" + repo + ":t";
            Path store = tmp.resolve("store");
            List<String> base = List.of(TestEnv.bin("ch-image"), "-s", store.toString());
            Result anonymous = TestEnv.run(concat(base, "pull", ref, "anon"), java.util.Map.of("HOME", tmp.toString()), null, null);
            assertThat(anonymous.exit()).isEqualTo(1);
            assertThat(anonymous.err()).contains("--auth");

            Result auth = TestEnv.run(concat(base, "--auth", "pull", ref, "anon"), java.util.Map.of("HOME", tmp.toString()), null, null);
            assertThat(auth.exit()).isEqualTo(1);
            assertThat(auth.err()).contains("no stored credentials").contains("CH_IMAGE_USERNAME");

            Result ok = TestEnv.run(concat(base, "-vvv", "pull", ref, "mine"), java.util.Map.of("HOME", tmp.toString(),
                    "CH_IMAGE_USERNAME", "alice", "CH_IMAGE_PASSWORD", "pa55word"), null, null);
            assertThat(ok.exit()).as(ok.toString()).isZero();
            assertThat(read(store.resolve("img/mine/secret"))).isEqualTo("s");
            assertThat(ok.err()).doesNotContain("pa55word");
        }
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }

    @Test
    void eightConcurrentPullsIntoOneStoreAllSucceed() throws Exception {
        List<String> refs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String repo = TestRegistry.uniqueRepo("conc" + i);
            TestImages.push(reg, repo, "t", "amd64", null, List.of(), List.of(TestImages.gzip(base()),
                    TestImages.gzip(new TarBuilder().file("which", "image " + i))));
            refs.add(reg.ref(repo, "t"));
        }
        Path store = tmp.resolve("store");
        List<Process> procs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            // four pulls of the first image (same name, same blobs), four of the others
            String ref = i < 4 ? refs.getFirst() : refs.get(i - 4);
            ProcessBuilder pb = new ProcessBuilder(TestEnv.bin("ch-image"), "-s", store.toString(), "pull", ref)
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("pull" + i + ".log").toFile());
            procs.add(pb.start());
        }
        for (int i = 0; i < procs.size(); i++) {
            assertThat(procs.get(i).waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(procs.get(i).exitValue()).as(read(tmp.resolve("pull" + i + ".log"))).isZero();
        }
        for (int i = 0; i < 4; i++) {
            Path root = store.resolve("img").resolve(refs.get(i).replace('/', '%').replace(':', '+'));
            assertThat(read(root.resolve("which"))).isEqualTo("image " + i);
            assertThat(read(root.resolve("data/keep"))).isEqualTo("keep");
        }
        assertThat(Files.list(store.resolve("img")).count()).isEqualTo(4);
        assertThat(Files.list(store.resolve("tmp")).count()).isZero();
    }

    @Test
    void pullKilledMidwayLeavesNoImageAndTheNextPullSucceeds() throws Exception {
        String repo = TestRegistry.uniqueRepo("killed");
        byte[] big = new byte[8 << 20];
        new java.util.Random(42).nextBytes(big);
        TestImages.push(reg, repo, "t", "amd64", null, List.of(),
                List.of(TestImages.gzip(new TarBuilder().file("big", big)), TestImages.gzip(new TarBuilder().file("small", "s"))));
        Path store = tmp.resolve("store");
        try (FaultProxy proxy = FaultProxy.start(reg.authority())
                .inject(FaultProxy.Target.BLOB, new FaultProxy.StallAfter(1 << 20, Duration.ofSeconds(8)), 100)) {
            Process p = new ProcessBuilder(TestEnv.bin("ch-image"), "-s", store.toString(), "pull",
                    proxy.authority() + "/" + repo + ":t", "killed")
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("killed.log").toFile()).start();
            // kill -9 once the big layer is partly downloaded (the proxy stalls it after 1 MiB)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!partialDownloadOver(store, 1 << 20) && System.nanoTime() < deadline) Thread.sleep(50);
            assertThat(partialDownloadOver(store, 1 << 20)).as(read(tmp.resolve("killed.log"))).isTrue();
            p.destroyForcibly().waitFor();
            assertThat(store.resolve("img/killed")).doesNotExist();
        }
        // the same blobs from the registry itself: the part file is resumed, the image completed
        Result r = chImage(store, "-v", "pull", reg.ref(repo, "t"), "killed");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("resuming at");
        assertThat(Files.readAllBytes(store.resolve("img/killed/big"))).isEqualTo(big);
        try (Stream<Path> s = Files.list(store.resolve("tmp"))) {
            assertThat(s.count()).isZero();
        }
    }

    private static boolean partialDownloadOver(Path store, long bytes) throws IOException {
        Path partial = store.resolve("blobs/partial");
        if (!Files.isDirectory(partial)) return false;
        try (Stream<Path> s = Files.list(partial)) {
            return s.anyMatch(f -> f.toFile().length() >= bytes);
        }
    }

    @Test
    void unpackedTreeMatchesUmoci() throws Exception {
        String repo = TestRegistry.uniqueRepo("umoci");
        TarBuilder upper = new TarBuilder().whiteout("data/gone").opaque("opq").file("opq/upper", "upper")
                .hardlink("hard", "data/keep");
        TestImages.push(reg, repo, "t", "amd64", null, List.of(), List.of(TestImages.gzip(base()), TestImages.gzip(upper)));
        Path store = tmp.resolve("store");
        Result r = chImage(store, "pull", reg.ref(repo, "t"), "cmp");
        assertThat(r.exit()).as(r.toString()).isZero();
        Path layout = tmp.resolve("layout");
        Result copy = TestEnv.run(List.of("skopeo", "copy", "--src-tls-verify=false", "docker://" + reg.ref(repo, "t"),
                "oci:" + layout + ":t"));
        assertThat(copy.exit()).as(copy.toString()).isZero();
        Path bundle = tmp.resolve("bundle");
        Result unpack = TestEnv.run(List.of("umoci", "unpack", "--rootless", "--image", layout + ":t", bundle.toString()));
        assertThat(unpack.exit()).as(unpack.toString()).isZero();
        assertThat(TreeDigest.of(store.resolve("img/cmp"), Set.of("ch", "dev", "proc", "sys", "tmp", "mnt", "usr", "etc/hosts",
                "etc/resolv.conf")))
                .isEqualTo(TreeDigest.of(bundle.resolve("rootfs"), Set.of()));
    }

    @Test
    void unprivilegedUserPullsAndOwnsEverything() throws Exception {
        String repo = TestRegistry.uniqueRepo("user");
        TestImages.push(reg, repo, "t", "amd64", null, List.of(), List.of(TestImages.gzip(base())));
        Path store = TestEnv.userDir("chj-store-");
        Result r = TestEnv.runAsUser(List.of(TestEnv.bin("ch-image"), "-s", store.resolve("s").toString(), "pull",
                reg.ref(repo, "t"), "mine"));
        assertThat(r.exit()).as(r.toString()).isZero();
        Path root = store.resolve("s/img/mine");
        String owner = TestEnv.testUser() == null ? System.getProperty("user.name") : TestEnv.testUser();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator)
                assertThat(Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName()).as(p.toString()).isEqualTo(owner);
        }
        Result rm = TestEnv.runAsUser(List.of("rm", "-rf", store.resolve("s").toString()));
        assertThat(rm.exit()).as("the user can delete the whole tree: " + rm).isZero();
        TestEnv.run(List.of("rm", "-rf", store.toString()));
    }
}
