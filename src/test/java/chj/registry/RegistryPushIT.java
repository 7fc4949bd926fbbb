package chj.registry;

import chj.oci.Digest;
import chj.oci.Reference;
import chj.testing.TestEnv;
import chj.testing.TestRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The upload side against the real loopback registry (Debian's docker-registry, plain HTTP). */
class RegistryPushIT {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    final TestRegistry registry = TestRegistry.local();

    static RegistryClient client() {
        return new RegistryClient(RegistryOptions.builder().log(new RecordingLog()).build());
    }

    Reference ref(String repo, String tag) {
        return Reference.parse(registry.ref(repo, tag));
    }

    /** A file of random bytes, written in pieces so that large ones never sit in memory here either. */
    Path randomFile(String name, long size, long seed) throws IOException {
        Path f = tmp.resolve(name);
        SplittableRandom random = new SplittableRandom(seed);
        byte[] buf = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(f)) {
            for (long left = size; left > 0; left -= buf.length) {
                random.nextBytes(buf);
                out.write(buf, 0, (int) Math.min(buf.length, left));
            }
        }
        return f;
    }

    Path file(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    /** Pushes a blob from a file of that content; returns the result. */
    static UploadResult push(RegistryClient c, Reference ref, Path file, List<String> mounts) throws Exception {
        return c.pushBlob(ref, TestRegistry.sha256(file), Files.size(file), file, mounts, null);
    }

    byte[] manifestFor(Digest config, long configSize, Digest layer, long layerSize) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2);
        m.put("mediaType", TestRegistry.OCI_MANIFEST);
        m.put("config", TestRegistry.descriptor(TestRegistry.OCI_CONFIG, config, configSize));
        m.put("layers", List.of(TestRegistry.descriptor(TestRegistry.OCI_LAYER_GZIP, layer, layerSize)));
        return TestRegistry.json(m);
    }

    @Test
    void blobsAndManifestPushedComeBackIdentical() throws Exception {
        String repo = TestRegistry.uniqueRepo("push");
        Path layer = randomFile("layer", 2 << 20, 11);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        Path configFile = file("config", config);
        Digest layerDigest = TestRegistry.sha256(layer);
        Digest configDigest = Digest.sha256(config);
        Reference ref = ref(repo, "v1");
        try (RegistryClient c = client()) {
            assertThat(c.blobExists(ref, layerDigest)).isFalse();
            List<Long> progress = new ArrayList<>();
            UploadResult l = c.pushBlob(ref, layerDigest, Files.size(layer), layer, List.of(), progress::add);
            UploadResult cf = push(c, ref, configFile, List.of());
            byte[] manifest = manifestFor(configDigest, config.length, layerDigest, Files.size(layer));
            Digest pushed = c.pushManifest(ref, "v1", TestRegistry.OCI_MANIFEST, manifest);

            // Debian's registry ignores a blob in the upload POST, so both went by POST then PUT
            assertThat(l.method()).isEqualTo(UploadResult.Method.POST_PUT);
            assertThat(cf.method()).isEqualTo(UploadResult.Method.POST_PUT);
            assertThat(l.digest()).isEqualTo(layerDigest);
            assertThat(progress).isNotEmpty().last().isEqualTo(Files.size(layer));
            assertThat(c.blobExists(ref, layerDigest)).isTrue();

            assertThat(pushed).isEqualTo(Digest.sha256(manifest));
            FetchedManifest back = c.manifest(ref);
            assertThat(back.bytes()).isEqualTo(manifest);
            assertThat(back.contentTypeBase()).isEqualTo(TestRegistry.OCI_MANIFEST);
            assertThat(back.dockerContentDigest()).isEqualTo(pushed);
            Path part = tmp.resolve("layer.back");
            c.fetchBlob(ref, layerDigest, Files.size(layer), part, null);
            assertThat(Files.mismatch(part, layer)).isEqualTo(-1);
            c.fetchBlob(ref, configDigest, config.length, tmp.resolve("config.back"), null);
            assertThat(Files.readAllBytes(tmp.resolve("config.back"))).isEqualTo(config);
        }
    }

    @Test
    void secondPushFindsTheBlobAndSendsNothing() throws Exception {
        String repo = TestRegistry.uniqueRepo("push-again");
        Path blob = randomFile("blob", 300_000, 12);
        try (RegistryClient c = client()) {
            assertThat(push(c, ref(repo, "x"), blob, List.of()).transferred()).isTrue();
        }
        try (RegistryClient c = client()) {
            UploadResult again = push(c, ref(repo, "x"), blob, List.of());
            assertThat(again.method()).isEqualTo(UploadResult.Method.EXISTED);
            assertThat(again.transferred()).isFalse();
        }
    }

    @Test
    void blobInAnotherRepositoryIsMountedNotSent() throws Exception {
        String a = TestRegistry.uniqueRepo("mount-a");
        String b = TestRegistry.uniqueRepo("mount-b");
        Path blob = randomFile("blob", 1 << 20, 13);
        Digest d = TestRegistry.sha256(blob);
        try (RegistryClient c = client()) {
            push(c, ref(a, "x"), blob, List.of());
            UploadResult mounted = push(c, ref(b, "x"), blob, List.of("no-such-repo-here", a));
            assertThat(mounted.method()).isEqualTo(UploadResult.Method.MOUNTED);
            assertThat(mounted.mountedFrom()).isEqualTo(a);
            assertThat(c.blobExists(ref(b, "x"), d)).isTrue();
            Path back = tmp.resolve("back");
            c.fetchBlob(ref(b, "x"), d, Files.size(blob), back, null);
            assertThat(Files.mismatch(back, blob)).isEqualTo(-1);
        }
    }

    @Test
    void mountFromARepositoryWithoutTheBlobUploadsInTheSessionTheRegistryStarted() throws Exception {
        String repo = TestRegistry.uniqueRepo("mount-miss");
        Path blob = randomFile("blob", 700_000, 14);
        try (RegistryClient c = client()) {
            UploadResult r = push(c, ref(repo, "x"), blob, List.of(TestRegistry.uniqueRepo("empty")));
            assertThat(r.method()).isEqualTo(UploadResult.Method.POST_PUT);
            Path back = tmp.resolve("back");
            c.fetchBlob(ref(repo, "x"), TestRegistry.sha256(blob), Files.size(blob), back, null);
            assertThat(Files.mismatch(back, blob)).isEqualTo(-1);
        }
    }

    @Test
    void largeBlobIsStreamedFromItsFile() throws Exception {
        String repo = TestRegistry.uniqueRepo("push-large");
        long size = 40L << 20;
        Path blob = randomFile("large", size, 15);
        Digest d = TestRegistry.sha256(blob);
        long[] highest = {0};
        try (RegistryClient c = client()) {
            UploadResult r = c.pushBlob(ref(repo, "x"), d, size, blob, List.of(), n -> highest[0] = Math.max(highest[0], n));
            assertThat(r.method()).isEqualTo(UploadResult.Method.POST_PUT);
            assertThat(highest[0]).isEqualTo(size);
            Path back = tmp.resolve("back");
            c.fetchBlob(ref(repo, "x"), d, size, back, null);
            assertThat(TestRegistry.sha256(back)).isEqualTo(d);
        }
    }

    @Test
    void skopeoReadsAPushedImage() throws Exception {
        String repo = TestRegistry.uniqueRepo("push-skopeo");
        Path layer = randomFile("layer", 100_000, 16);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        Digest manifestDigest;
        try (RegistryClient c = client()) {
            Reference ref = ref(repo, "v1");
            push(c, ref, layer, List.of());
            push(c, ref, file("config", config), List.of());
            manifestDigest = c.pushManifest(ref, "v1", TestRegistry.OCI_MANIFEST,
                    manifestFor(Digest.sha256(config), config.length, TestRegistry.sha256(layer), Files.size(layer)));
        }
        TestEnv.Result r = TestEnv.run(List.of("skopeo", "inspect", "--tls-verify=false",
                "docker://" + registry.ref(repo, "v1")));
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode doc = JSON.readTree(r.out());
        assertThat(doc.path("Digest").asText()).isEqualTo(manifestDigest.toString());
        assertThat(doc.path("Architecture").asText()).isEqualTo("amd64");
        assertThat(doc.path("Layers").get(0).asText()).isEqualTo(TestRegistry.sha256(layer).toString());
    }

    @Test
    void manifestNamingAMissingBlobIsRefusedWithAHint() throws Exception {
        String repo = TestRegistry.uniqueRepo("push-dangling");
        Digest missing = Digest.sha256("not pushed".getBytes(StandardCharsets.UTF_8));
        byte[] manifest = manifestFor(missing, 10, missing, 10);
        try (RegistryClient c = client()) {
            assertThatThrownBy(() -> c.pushManifest(ref(repo, "v1"), "v1", TestRegistry.OCI_MANIFEST, manifest))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageStartingWith("cannot push manifest " + registry.authority() + "/" + repo + ":v1: registry answered 400")
                    .hasMessageContaining("MANIFEST_BLOB_UNKNOWN")
                    .satisfies(e -> assertThat(((RegistryException) e).hint()).contains("push the blobs"));
        }
    }

    @Test
    void fileOfTheWrongSizeIsRefusedBeforeAnyUpload() throws Exception {
        String repo = TestRegistry.uniqueRepo("push-size");
        Path blob = file("blob", new byte[100]);
        try (RegistryClient c = client()) {
            assertThatThrownBy(() -> c.pushBlob(ref(repo, "x"), TestRegistry.sha256(blob), 101, blob, List.of(), null))
                    .isInstanceOf(RegistryException.class)
                    .hasMessage("cannot upload " + blob + ": it is 100 bytes, expected 101");
        }
    }

    @Test
    void fileThatDoesNotMatchItsDigestIsRefusedByTheRegistry() throws Exception {
        String repo = TestRegistry.uniqueRepo("push-digest");
        Path blob = file("blob", "actual content".getBytes(StandardCharsets.UTF_8));
        Digest claimed = Digest.sha256("other content!".getBytes(StandardCharsets.UTF_8));
        try (RegistryClient c = client()) {
            assertThatThrownBy(() -> c.pushBlob(ref(repo, "x"), claimed, Files.size(blob), blob, List.of(), null))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("does not match its digest (DIGEST_INVALID)");
            assertThat(c.blobExists(ref(repo, "x"), claimed)).isFalse();
        }
    }
}
