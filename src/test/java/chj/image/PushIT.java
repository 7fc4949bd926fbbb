package chj.image;

import static org.assertj.core.api.Assertions.assertThat;

import chj.oci.Digest;
import chj.testing.FaultProxy;
import chj.testing.TarBuilder;
import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;
import chj.testing.TestImages;
import chj.testing.TestRegistry;
import chj.testing.TreeDigest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ch-image push end to end against the loopback registry, checked with chj's own pull and with tools
 * nobody here wrote: skopeo (inspect, copy to an OCI layout), umoci (rootless unpack) and GNU tar.
 */
class PushIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String EPOCH = "1700000000";
    static TestRegistry reg;

    @TempDir
    Path tmp;

    @BeforeAll
    static void registry() {
        reg = TestRegistry.local();
    }

    // ------------------------------------------------------------------ helpers

    Result chImage(Path store, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(TestEnv.bin("ch-image"), "-s", store.toString()));
        cmd.addAll(List.of(args));
        Map<String, String> e = new HashMap<>(env);
        e.putIfAbsent("HOME", tmp.toString());   // no credentials from the machine's files
        return TestEnv.run(cmd, e, null, null);
    }

    Result ok(Path store, String... args) {
        return ok(store, Map.of(), args);
    }

    Result ok(Path store, Map<String, String> env, String... args) {
        Result r = chImage(store, env, args);
        assertThat(r.exit()).as(String.join(" ", args) + "\n" + r).isZero();
        return r;
    }

    static Result tool(String... cmd) {
        Result r = TestEnv.run(List.of(cmd));
        assertThat(r.exit()).as(String.join(" ", cmd) + "\n" + r).isZero();
        return r;
    }

    static Path imageDir(Path store, String ref) {
        return store.resolve("img").resolve(ref.replace('/', '%').replace(':', '+'));
    }

    static byte[] get(String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + reg.authority() + path));
        if (accept != null) b.header("Accept", accept);
        HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as("GET " + path).isEqualTo(200);
        return r.body();
    }

    static byte[] manifestBytes(String repo, String tag) throws Exception {
        return get("/v2/" + repo + "/manifests/" + tag, TestRegistry.OCI_MANIFEST + ", " + TestRegistry.DOCKER_MANIFEST);
    }

    static JsonNode manifest(String repo, String tag) throws Exception {
        return JSON.readTree(manifestBytes(repo, tag));
    }

    static JsonNode config(String repo, JsonNode manifest) throws Exception {
        return JSON.readTree(get("/v2/" + repo + "/blobs/" + manifest.path("config").path("digest").asText(), null));
    }

    static List<String> layerDigests(JsonNode manifest) {
        List<String> out = new ArrayList<>();
        manifest.path("layers").forEach(l -> out.add(l.path("digest").asText()));
        return out;
    }

    static long nonEmptyHistory(JsonNode config) {
        long n = 0;
        for (JsonNode h : config.path("history")) if (!h.path("empty_layer").asBoolean(false)) n++;
        return n;
    }

    /** Entries of a gzip layer blob of the registry, by name. */
    static Map<String, TarArchiveEntry> gzipLayerEntries(String repo, String digest) throws Exception {
        Map<String, TarArchiveEntry> out = new HashMap<>();
        try (InputStream in = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(get("/v2/" + repo + "/blobs/" + digest, null))))) {
            TarArchiveInputStream tar = (TarArchiveInputStream) in;
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) out.put(e.getName(), e);
        }
        return out;
    }

    static TarBuilder lower() {
        return new TarBuilder().dir("etc").file("etc/os-release", "ID=test\n").dir("bin").file("bin/tool", "#!/bin/sh\n", 0755)
                .dir("data").file("data/keep", "keep").file("data/gone", "gone").dir("data/old").file("data/old/x", "x")
                .symlink("abs-link", "/etc/os-release");
    }

    TestImages.Image pushTestImage(String repo) {
        return TestImages.push(reg, repo, "v1", "amd64", null, List.of("FOO=bar", "PATH=/bin"),
                List.of(TestImages.gzip(lower()), TestImages.zstd(new TarBuilder().file("upper", "u").hardlink("hard", "data/keep")),
                        TestImages.plain(new TarBuilder().dir("third").file("third/f", "3"))));
    }

    /** A directory as users push with --image: files of every kind, and a config of its own. */
    Path directoryImage(String name, String arch, String variant) throws IOException {
        Path d = tmp.resolve(name);
        String longDir = "l".repeat(80) + "/" + "m".repeat(70);
        Files.createDirectories(d.resolve("usr/bin"));
        Files.createDirectories(d.resolve(longDir));
        Files.createDirectories(d.resolve("empty"));
        Files.createDirectories(d.resolve("ch"));
        Files.writeString(d.resolve("usr/bin/hello"), "#!/bin/sh\necho hello\n");
        Files.writeString(d.resolve(longDir + "/" + "n".repeat(110)), "long\n");
        Files.writeString(d.resolve("usr/bin/suid"), "s");
        Files.setPosixFilePermissions(d.resolve("usr/bin/hello"), PosixFilePermissions.fromString("rwxr-xr-x"));
        tool("chmod", "4755", d.resolve("usr/bin/suid").toString());
        Files.writeString(d.resolve("secret"), "only me");
        Files.setPosixFilePermissions(d.resolve("secret"), PosixFilePermissions.fromString("rw-------"));
        Files.createLink(d.resolve("usr/bin/hello-again"), d.resolve("usr/bin/hello"));
        Files.createSymbolicLink(d.resolve("usr/bin/hi"), Path.of("hello"));
        Files.writeString(d.resolve("ch/config.json"), """
                {"architecture":"%s",%s"os":"linux","config":{"Env":["PATH=/usr/bin:/bin","GREETING=hi"],
                 "Cmd":["hello"],"Entrypoint":["/bin/sh","-c"],"WorkingDir":"/usr","User":"1000:1000",
                 "Labels":{"org.example":"yes"}},"history":[{"created_by":"made by hand"}]}"""
                .formatted(arch, variant == null ? "" : "\"variant\":\"" + variant + "\","));
        return d;
    }

    static Map<String, String> epoch() {
        return Map.of("SOURCE_DATE_EPOCH", EPOCH);
    }

    // ------------------------------------------------------------------ tests

    @Test
    void unchangedPulledImageGoesBackAsPulledMountedThenSkipped() throws Exception {
        String from = TestRegistry.uniqueRepo("push-src"), to = TestRegistry.uniqueRepo("push-dst");
        TestImages.Image img = pushTestImage(from);
        Path store = tmp.resolve("store");
        ok(store, "pull", reg.ref(from, "v1"));

        Result first = ok(store, "push", reg.ref(from, "v1"), reg.ref(to, "v1"));
        assertThat(first.err()).contains("mounted from " + from).doesNotContain("uploaded").doesNotContain("warning");
        assertThat(first.err().lines().filter(l -> l.contains("mounted from"))).hasSize(4);   // 3 layers, config
        assertThat(Digest.sha256(manifestBytes(to, "v1"))).isEqualTo(img.manifest());

        Result again = ok(store, "push", reg.ref(from, "v1"), reg.ref(to, "v1"));
        assertThat(again.err().lines().filter(l -> l.endsWith("already in the repository"))).hasSize(4);
        assertThat(again.err()).doesNotContain("uploaded").doesNotContain("mounted");

        Path back = tmp.resolve("back");
        ok(back, "pull", reg.ref(to, "v1"));
        Path root = imageDir(back, reg.ref(to, "v1"));
        assertThat(Digest.sha256(Files.readAllBytes(root.resolve("ch/manifest.json")))).isEqualTo(img.manifest());
        assertThat(Digest.sha256(Files.readAllBytes(root.resolve("ch/config.json")))).isEqualTo(img.config());
        assertThat(TreeDigest.of(root, Set.of("ch"))).isEqualTo(TreeDigest.of(imageDir(store, reg.ref(from, "v1")), Set.of("ch")));
    }

    @Test
    void changedTreeGetsOneMoreLayerWithWhiteoutsAndFlattenGivesOne() throws Exception {
        String from = TestRegistry.uniqueRepo("push-src"), to = TestRegistry.uniqueRepo("push-chg");
        TestImages.Image img = pushTestImage(from);
        Path store = tmp.resolve("store");
        ok(store, "pull", reg.ref(from, "v1"), "mine");
        Path root = store.resolve("img/mine");
        Files.writeString(root.resolve("etc/added"), "new\n");
        Files.writeString(root.resolve("etc/os-release"), "ID=changed\n");
        Files.delete(root.resolve("data/gone"));
        Files.delete(root.resolve("data/old/x"));
        Files.delete(root.resolve("data/old"));

        Result r = ok(store, "push", "mine", reg.ref(to, "v1"));
        assertThat(r.err()).contains("changed since pull: 1 added, 1 modified, 2 deleted");
        JsonNode m = manifest(to, "v1");
        List<String> layers = layerDigests(m);
        assertThat(layers).hasSize(4);
        JsonNode pulled = JSON.readTree(img.manifestBytes());
        assertThat(layers.subList(0, 3)).isEqualTo(layerDigests(pulled));
        assertThat(m.path("layers").get(3).path("mediaType").asText()).isEqualTo(TestRegistry.OCI_LAYER_GZIP);
        Map<String, TarArchiveEntry> top = gzipLayerEntries(to, layers.get(3));
        assertThat(top.keySet()).contains("data/.wh.gone", "data/.wh.old", "etc/added", "etc/os-release")
                .doesNotContain("bin/tool", "upper", "data/keep", "ch/config.json");
        JsonNode config = config(to, m);
        assertThat(config.path("rootfs").path("diff_ids")).hasSize(4);
        assertThat(nonEmptyHistory(config)).isEqualTo(4);
        assertThat(config.path("config").path("Env").toString()).contains("FOO=bar");

        Path back = tmp.resolve("back");
        ok(back, "pull", reg.ref(to, "v1"), "again");
        assertThat(TreeDigest.of(back.resolve("img/again"), Set.of("ch"))).isEqualTo(TreeDigest.of(root, Set.of("ch")));

        String flat = TestRegistry.uniqueRepo("push-flat");
        ok(store, "push", "--flatten", "mine", reg.ref(flat, "v1"));
        JsonNode fm = manifest(flat, "v1");
        assertThat(layerDigests(fm)).hasSize(1);
        assertThat(nonEmptyHistory(config(flat, fm))).isEqualTo(1);
        ok(back, "pull", reg.ref(flat, "v1"), "flat");
        assertThat(TreeDigest.of(back.resolve("img/flat"), Set.of("ch"))).isEqualTo(TreeDigest.of(root, Set.of("ch")));
    }

    @Test
    void directoryImageIsReadBySkopeoUmociAndTarAsPushed() throws Exception {
        Path dir = directoryImage("dir", "arm64", "v8");
        String repo = TestRegistry.uniqueRepo("push-dir");
        String ref = reg.ref(repo, "v1");
        Path store = tmp.resolve("store");
        ok(store, epoch(), "push", "--image", dir.toString(), ref);

        JsonNode cfg = JSON.readTree(tool("skopeo", "inspect", "--tls-verify=false", "--config", "docker://" + ref).out());
        assertThat(cfg.path("architecture").asText()).isEqualTo("arm64");
        assertThat(cfg.path("variant").asText()).isEqualTo("v8");
        assertThat(cfg.path("config").path("Env").toString()).contains("GREETING=hi");
        assertThat(cfg.path("config").path("Cmd").toString()).isEqualTo("[\"hello\"]");
        assertThat(cfg.path("config").path("Entrypoint").toString()).isEqualTo("[\"/bin/sh\",\"-c\"]");
        assertThat(cfg.path("config").path("WorkingDir").asText()).isEqualTo("/usr");
        assertThat(cfg.path("config").path("User").asText()).isEqualTo("1000:1000");
        assertThat(cfg.path("config").path("Labels").path("org.example").asText()).isEqualTo("yes");
        assertThat(cfg.path("created").asText()).isEqualTo("2023-11-14T22:13:20Z");
        JsonNode info = JSON.readTree(tool("skopeo", "inspect", "--tls-verify=false", "docker://" + ref).out());
        assertThat(info.path("Layers")).hasSize(1);
        assertThat(nonEmptyHistory(cfg)).isEqualTo(info.path("Layers").size());

        Path layout = tmp.resolve("layout");
        tool("skopeo", "copy", "--src-tls-verify=false", "docker://" + ref, "oci:" + layout + ":v1");
        Path bundle = tmp.resolve("bundle");
        tool("umoci", "unpack", "--rootless", "--image", layout + ":v1", bundle.toString());
        assertThat(TreeDigest.of(bundle.resolve("rootfs"), Set.of())).isEqualTo(TreeDigest.of(dir, Set.of("ch")));
        assertThat(Files.isSameFile(bundle.resolve("rootfs/usr/bin/hello"), bundle.resolve("rootfs/usr/bin/hello-again"))).isTrue();

        String blob = info.path("Layers").get(0).asText().substring("sha256:".length());
        String listing = tool("tar", "--numeric-owner", "-tvzf", layout.resolve("blobs/sha256/" + blob).toString()).out();
        List<String> lines = listing.lines().toList();
        assertThat(lines).hasSize(11).allSatisfy(l -> {
            assertThat(l.split("\\s+")[1]).as(l).isEqualTo("0/0");
            assertThat(l.substring(0, 10)).as(l).doesNotContain("s").doesNotContain("S");
        });
        assertThat(listing).contains("n".repeat(110)).doesNotContain(" ch/");
    }

    @Test
    void compressionAndManifestFormatsAsAsked() throws Exception {
        Path dir = directoryImage("dir", "amd64", null);
        Path store = tmp.resolve("store");
        Map<String, String[]> cases = Map.of(
                "zstd", new String[] {"--compress=zstd"},
                "none", new String[] {"--compress=none"},
                "docker", new String[] {"--format=docker"});
        Map<String, String> expectedLayer = Map.of("zstd", TestRegistry.OCI_LAYER_ZSTD, "none", TestRegistry.OCI_LAYER_TAR,
                "docker", TestRegistry.DOCKER_LAYER_GZIP);
        for (var c : cases.entrySet()) {
            String repo = TestRegistry.uniqueRepo("push-" + c.getKey());
            List<String> args = new ArrayList<>(List.of("push", "--image", dir.toString()));
            args.addAll(List.of(c.getValue()));
            args.add(reg.ref(repo, "v1"));
            ok(store, args.toArray(String[]::new));
            JsonNode m = manifest(repo, "v1");
            assertThat(m.path("layers").get(0).path("mediaType").asText()).as(c.getKey()).isEqualTo(expectedLayer.get(c.getKey()));
            boolean docker = c.getKey().equals("docker");
            assertThat(m.path("mediaType").asText()).isEqualTo(docker ? TestRegistry.DOCKER_MANIFEST : TestRegistry.OCI_MANIFEST);
            assertThat(m.path("config").path("mediaType").asText()).isEqualTo(docker ? TestRegistry.DOCKER_CONFIG : TestRegistry.OCI_CONFIG);
            tool("skopeo", "inspect", "--tls-verify=false", "docker://" + reg.ref(repo, "v1"));
            ok(store, "pull", reg.ref(repo, "v1"), c.getKey());
            assertThat(TreeDigest.of(store.resolve("img/" + c.getKey()), Set.of("ch", "dev", "proc", "sys", "mnt", "tmp", "bin", "etc")))
                    .as(c.getKey()).isEqualTo(TreeDigest.of(dir, Set.of("ch")));
        }
        Result bad = chImage(store, Map.of(), "push", "--image", dir.toString(), "--format=docker", "--compress=zstd",
                reg.ref(TestRegistry.uniqueRepo("push-bad"), "v1"));
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("ch-image: error: a Docker image manifest can't hold zstd layers").doesNotContain("\tat ");
    }

    @Test
    void theSameTreeGivesTheSameDigestsAndASecondPushSendsNothing() throws Exception {
        Path dir = directoryImage("dir", "amd64", null);
        Path store = tmp.resolve("store");
        ok(store, "import", dir.toString(), "one");
        Thread.sleep(1100);   // a later import time, which SOURCE_DATE_EPOCH must hide
        ok(store, "import", dir.toString(), "two");
        String a = TestRegistry.uniqueRepo("push-repro"), b = TestRegistry.uniqueRepo("push-repro");
        ok(store, epoch(), "push", "one", reg.ref(a, "v1"));
        ok(store, epoch(), "push", "two", reg.ref(b, "v1"));
        assertThat(Digest.sha256(manifestBytes(b, "v1"))).isEqualTo(Digest.sha256(manifestBytes(a, "v1")));

        Result again = ok(store, epoch(), "push", "one", reg.ref(a, "v1"));
        assertThat(again.err().lines().filter(l -> l.endsWith("already in the repository"))).hasSize(2);
        assertThat(again.err()).doesNotContain("uploaded");
    }

    @Test
    void refusedCredentialsAreOneLineWithAHintAndGoodOnesPush() throws Exception {
        Path dir = directoryImage("dir", "amd64", null);
        Path store = tmp.resolve("store");
        String repo = TestRegistry.uniqueRepo("push-auth");
        try (FaultProxy proxy = FaultProxy.start(reg.authority()).auth(FaultProxy.Auth.BASIC, "bob", "s3cret")) {
            String ref = proxy.authority() + "/" + repo + ":v1";
            Result none = chImage(store, Map.of(), "push", "--image", dir.toString(), ref);
            assertThat(none.exit()).isEqualTo(1);
            assertThat(none.err()).contains("ch-image: error: no stored credentials for " + proxy.authority())
                    .contains("ch-image: hint: ").doesNotContain("\tat ").doesNotContain("writing");

            Result wrong = chImage(store, Map.of("CH_IMAGE_USERNAME", "bob", "CH_IMAGE_PASSWORD", "nope"),
                    "push", "--image", dir.toString(), ref);
            assertThat(wrong.exit()).isEqualTo(1);
            List<String> errors = wrong.err().lines().filter(l -> l.startsWith("ch-image: error: ")).toList();
            assertThat(errors).containsExactly("ch-image: error: authentication failed for " + proxy.authority()
                    + ": credentials of bob (from CH_IMAGE_USERNAME/CH_IMAGE_PASSWORD) refused");
            assertThat(wrong.err()).contains("ch-image: hint: ").doesNotContain("\tat ").doesNotContain("nope");

            ok(store, Map.of("CH_IMAGE_USERNAME", "bob", "CH_IMAGE_PASSWORD", "s3cret"), "push", "--image", dir.toString(), ref);
        }
        assertThat(manifest(repo, "v1").path("layers")).hasSize(1);
    }

    @Test
    void missingImagesAreOneLineErrors() throws Exception {
        Path store = tmp.resolve("store");
        Result noImage = chImage(store, Map.of(), "push", "nothing-here", reg.ref(TestRegistry.uniqueRepo("push-none"), "v1"));
        assertThat(noImage.exit()).isEqualTo(1);
        assertThat(noImage.err()).contains("ch-image: error: no image in the store named nothing-here").doesNotContain("\tat ");
        Result noDir = chImage(store, Map.of(), "push", "--image", tmp.resolve("absent").toString(),
                reg.ref(TestRegistry.uniqueRepo("push-none"), "v1"));
        assertThat(noDir.exit()).isEqualTo(1);
        assertThat(noDir.err()).contains("ch-image: error: can't push: not a directory: " + tmp.resolve("absent"));
        assertThat(Files.list(store.resolve("tmp")).count()).as("staging left behind").isZero();
    }
}
