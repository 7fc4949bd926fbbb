package chj.oci;

import static chj.oci.Fixtures.fake;
import static chj.oci.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestDocumentTest {

    private static final String H = "a".repeat(64);

    @Test
    void dockerHubIndexWithAttestations() throws OciException {
        byte[] body = Fixtures.read("dockerhub-list-with-attestations.json");
        ImageIndex index = (ImageIndex) ManifestDocument.parse(body);
        assertThat(index.mediaType()).isEqualTo(MediaType.OCI_INDEX);
        assertThat(index.manifests()).hasSize(10);
        Descriptor first = index.manifests().get(0);
        assertThat(first.digest()).isEqualTo(fake("amd64"));
        assertThat(first.size()).isEqualTo(1022);
        assertThat(first.platform().toString()).isEqualTo("amd64");
        assertThat(first.annotations()).containsEntry("org.opencontainers.image.base.name", "scratch");
        assertThat(first.isAttestation()).isFalse();
        assertThat(index.manifests().get(1).isAttestation()).isTrue();
        assertThat(index.manifests().get(4).platform()).isEqualTo(Platform.linux("arm", "v7"));
    }

    @Test
    void digestIsOverTheBytesAsServed() throws OciException {
        byte[] body = Fixtures.read("docker-manifest-list.json"); // 3-space indent: re-serialising would change it
        ManifestDocument doc = ManifestDocument.parse(body);
        assertThat(doc.digest()).isEqualTo(Digest.sha256(body));
        assertThat(doc.raw()).isEqualTo(body);
        byte[] copy = doc.raw();
        copy[0] = 'X';
        assertThat(doc.raw()).isEqualTo(body);
    }

    @Test
    void dockerListKeepsWindowsPlatformFields() throws OciException {
        ImageIndex index = (ImageIndex) ManifestDocument.parse(Fixtures.read("docker-manifest-list.json"));
        assertThat(index.mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST_LIST);
        Platform win = index.manifests().get(3).platform();
        assertThat(win.os()).isEqualTo("windows");
        assertThat(win.osVersion()).isEqualTo("10.0.17763.5576");
        assertThat(win.osFeatures()).containsExactly("win32k");
    }

    @Test
    void dockerImageManifest() throws OciException {
        ImageManifest m = (ImageManifest) ManifestDocument.parse(Fixtures.read("docker-manifest-v2.json"));
        assertThat(m.mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
        assertThat(m.config().digest()).isEqualTo(fake("config"));
        assertThat(m.config().mediaType()).isEqualTo(MediaType.DOCKER_CONFIG);
        assertThat(m.layers()).extracting(Descriptor::digest).containsExactly(fake("layer1"), fake("layer2"));
        assertThat(m.layers().get(0).size()).isEqualTo(3370706);
        assertThat(m.layers().get(1).urls()).containsExactly("https://example.invalid/layer2");
        assertThat(m.isArtifact()).isFalse();
    }

    @Test
    void typeComesFromTheBodyNotTheMediaTypeField() throws OciException {
        // A manifest whose mediaType field claims an index, as a confused registry or proxy may serve it.
        String body = """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":2},
             "layers":[]}""".formatted(H);
        assertThat(ManifestDocument.parse(utf8(body))).isInstanceOf(ImageManifest.class);
        String index = "{\"manifests\":[]}";
        ManifestDocument doc = ManifestDocument.parse(utf8(index));
        assertThat(doc).isInstanceOf(ImageIndex.class);
        assertThat(doc.mediaType()).isEqualTo(MediaType.OCI_INDEX);
    }

    @Test
    void unknownFieldsAreTolerated() throws OciException {
        String body = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"x/y",
             "futureField":{"a":[1,2,3]},
             "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:%s","size":2,"data":"e30=","new":1},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","digest":"sha256:%s","size":10,
                        "annotations":{"io.github.containers.zstd-chunked.manifest-position":"1:2:3:4"}}],
             "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":99}}"""
                .formatted(H, H, H);
        ImageManifest m = (ImageManifest) ManifestDocument.parse(utf8(body));
        assertThat(m.artifactType()).isEqualTo("x/y");
        assertThat(m.subject().size()).isEqualTo(99);
        assertThat(m.isArtifact()).isTrue();
        assertThat(m.layers().getFirst().annotations()).containsKey("io.github.containers.zstd-chunked.manifest-position");
    }

    @Test
    void schema1IsRefusedClearly() {
        String unsigned = "{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"latest\",\"fsLayers\":[{\"blobSum\":\"sha256:" + H + "\"}]}";
        assertThatThrownBy(() -> ManifestDocument.parse(utf8(unsigned)))
                .isInstanceOf(OciException.class).hasMessage("schema 1 manifest not supported");
        String signed = "{\"schemaVersion\":1,\"fsLayers\":[],\"signatures\":[{\"protected\":\"x\"}]}";
        assertThatThrownBy(() -> ManifestDocument.parse(utf8(signed))).hasMessage("schema 1 manifest not supported");
        String typedOnly = "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v1+prettyjws\"}";
        assertThatThrownBy(() -> ManifestDocument.parse(utf8(typedOnly))).hasMessage("schema 1 manifest not supported");
    }

    @Test
    void registryErrorDocument() {
        String body = "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\",\"detail\":{}}]}";
        assertThatThrownBy(() -> ManifestDocument.parse(utf8(body)))
                .hasMessage("manifest: registry sent an error document: MANIFEST_UNKNOWN: manifest unknown");
    }

    @Test
    void badDocuments() {
        assertThatThrownBy(() -> ManifestDocument.parse(utf8("<html>502</html>"))).hasMessageStartingWith("manifest: invalid JSON");
        assertThatThrownBy(() -> ManifestDocument.parse(utf8(""))).hasMessage("manifest: empty document");
        assertThatThrownBy(() -> ManifestDocument.parse(utf8("[1]"))).hasMessage("manifest: expected a JSON object, got an array");
        assertThatThrownBy(() -> ManifestDocument.parse(utf8("{\"schemaVersion\":2}")))
                .hasMessageContaining("neither an index");
        assertThatThrownBy(() -> ManifestDocument.parse(utf8("{\"schemaVersion\":3,\"layers\":[]}")))
                .hasMessage("manifest: unsupported schemaVersion: 3");
        assertThatThrownBy(() -> ManifestDocument.parse(utf8("{\"layers\":[]}"))).hasMessage("manifest: missing config");
        assertThatThrownBy(() -> ManifestDocument.parse(utf8("{\"manifests\":{}}")))
                .hasMessage("index.manifests: expected an array, got an object");
    }

    @Test
    void duplicateKeysAreRefused() {
        // Two parsers could read two different manifests from one digest.
        String body = "{\"manifests\":[],\"manifests\":[{}]}";
        assertThatThrownBy(() -> ManifestDocument.parse(utf8(body))).hasMessageContaining("Duplicate field 'manifests'");
    }

    @Test
    void badDescriptorsNameTheField() {
        String badDigest = "{\"manifests\":[{\"mediaType\":\"a/b\",\"digest\":\"sha256:xyz\",\"size\":1}]}";
        assertThatThrownBy(() -> ManifestDocument.parse(utf8(badDigest)))
                .hasMessage("index.manifests[0].digest: invalid sha256 digest: xyz");
        String negative = "{\"manifests\":[{\"mediaType\":\"a/b\",\"digest\":\"sha256:" + H + "\",\"size\":-1}]}";
        assertThatThrownBy(() -> ManifestDocument.parse(utf8(negative)))
                .hasMessage("index.manifests[0].size: expected a non-negative integer, got -1");
        String noType = "{\"manifests\":[{\"digest\":\"sha256:" + H + "\",\"size\":1}]}";
        assertThatThrownBy(() -> ManifestDocument.parse(utf8(noType))).hasMessage("index.manifests[0]: missing mediaType");
        String badPlatform = "{\"manifests\":[{\"mediaType\":\"a/b\",\"digest\":\"sha256:" + H + "\",\"size\":1,\"platform\":{\"os\":\"linux\"}}]}";
        assertThatThrownBy(() -> ManifestDocument.parse(utf8(badPlatform)))
                .hasMessage("index.manifests[0].platform: missing architecture");
    }

    @Test
    void createdManifestRoundTrips() throws OciException {
        Descriptor config = Descriptor.of(MediaType.OCI_CONFIG, fake("config"), 123);
        Descriptor layer = Descriptor.of(MediaType.OCI_LAYER_TAR_GZIP, fake("layer1"), 456);
        ImageManifest made = ImageManifest.create(config, List.of(layer), Map.of("org.opencontainers.image.title", "t"));
        ImageManifest back = (ImageManifest) ManifestDocument.parse(made.raw());
        assertThat(back.digest()).isEqualTo(made.digest());
        assertThat(back.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
        assertThat(back.config()).isEqualTo(config);
        assertThat(back.layers()).containsExactly(layer);
        assertThat(back.annotations()).containsEntry("org.opencontainers.image.title", "t");
    }

    @Test
    void createdIndexRoundTrips() throws OciException {
        Descriptor a = Descriptor.of(MediaType.OCI_MANIFEST, fake("a"), 1).withPlatform(Platform.linux("arm", "v7"));
        Descriptor b = Descriptor.of(MediaType.OCI_MANIFEST, fake("b"), 2).withPlatform(Platform.linux("amd64", null));
        ImageIndex made = ImageIndex.create(List.of(a, b), null);
        ImageIndex back = (ImageIndex) ManifestDocument.parse(made.raw());
        assertThat(back.manifests()).containsExactly(a, b);
        assertThat(back.digest()).isEqualTo(Digest.sha256(made.raw()));
    }
}
