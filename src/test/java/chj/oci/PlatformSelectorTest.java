package chj.oci;

import static chj.oci.Fixtures.fake;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlatformSelectorTest {

    private static final PlatformSelector AMD64_HOST = new PlatformSelector(Platform.fromMachine("x86_64"));
    private static final PlatformSelector ARM64_HOST = new PlatformSelector(Platform.fromMachine("aarch64"));

    private static ImageIndex dockerHub() throws OciException {
        return (ImageIndex) ManifestDocument.parse(Fixtures.read("dockerhub-list-with-attestations.json"));
    }

    /** An index with one entry per {@code arch[/variant]} given, each with digest sha256(spec). */
    private static ImageIndex index(String... specs) {
        List<Descriptor> entries = new ArrayList<>();
        for (String s : specs) {
            String[] osAndPlatform = s.contains(":") ? s.split(":", 2) : new String[] {"linux", s};
            String[] parts = osAndPlatform[1].split("/");
            Platform p = new Platform(osAndPlatform[0], parts[0], parts.length > 1 ? parts[1] : null, null, null);
            entries.add(Descriptor.of(MediaType.OCI_MANIFEST, fake(s), 100).withPlatform(p));
        }
        return ImageIndex.create(entries, null);
    }

    @ParameterizedTest
    @CsvSource({
        "amd64, amd64",
        "arm/v6, armv6",
        "arm/v7, armv7",
        "arm64/v8, arm64v8",
        "arm64, arm64v8",   // no variant matches v8
        "386, 386",
        "ppc64le, ppc64le",
        "s390x, s390x",
        "riscv64, riscv64",
    })
    void dockerHubStyleIndex(String arch, String expectedFake) throws OciException {
        var sel = AMD64_HOST.select(dockerHub(), arch);
        assertThat(sel.descriptor().digest()).isEqualTo(fake(expectedFake));
        assertThat(sel.warnings()).isEmpty();
    }

    @Test
    void hostMeansThisMachine() throws OciException {
        assertThat(AMD64_HOST.select(dockerHub(), "host").descriptor().digest()).isEqualTo(fake("amd64"));
        var arm = ARM64_HOST.select(dockerHub(), "host");
        assertThat(arm.descriptor().digest()).isEqualTo(fake("arm64v8"));
        assertThat(arm.requested().toString()).isEqualTo("arm64/v8");
    }

    @Test
    void attestationsAreNeverChosenEvenWithYolo() throws OciException {
        ImageIndex idx = ImageIndex.create(List.of(
                Descriptor.of(MediaType.OCI_MANIFEST, fake("att"), 1).withPlatform(new Platform("unknown", "unknown", null, null, null)),
                Descriptor.of(MediaType.OCI_MANIFEST, fake("img"), 1).withPlatform(Platform.linux("amd64", null))), null);
        assertThat(AMD64_HOST.select(idx, "yolo").descriptor().digest()).isEqualTo(fake("img"));
        assertThatThrownBy(() -> AMD64_HOST.select(idx, "unknown")).hasMessage("requested arch unavailable: unknown");
    }

    @Test
    void annotatedAttestationIsSkippedWhateverItsPlatform() throws OciException {
        ImageIndex idx = ImageIndex.create(List.of(
                Descriptor.of(MediaType.OCI_MANIFEST, fake("att"), 1).withPlatform(Platform.linux("amd64", null))
                        .withAnnotations(Map.of(Descriptor.REFERENCE_TYPE, "attestation-manifest")),
                Descriptor.of(MediaType.OCI_MANIFEST, fake("img"), 1).withPlatform(Platform.linux("amd64", null))), null);
        assertThat(AMD64_HOST.select(idx, "amd64").descriptor().digest()).isEqualTo(fake("img"));
    }

    @Test
    void ociIndexWithArmV7Arm64V8Amd64() throws OciException {
        ImageIndex idx = index("arm/v7", "arm64/v8", "amd64");
        assertThat(ARM64_HOST.select(idx, "host").descriptor().digest()).isEqualTo(fake("arm64/v8"));
        assertThat(AMD64_HOST.select(idx, "arm").descriptor().digest()).isEqualTo(fake("arm/v7"));
        assertThat(AMD64_HOST.select(idx, "arm").warnings()).containsExactly("arch arm requested but falling back to arm/v7");
        assertThat(AMD64_HOST.select(idx, "arm64").descriptor().digest()).isEqualTo(fake("arm64/v8"));
        assertThat(new PlatformSelector(Platform.fromMachine("armv7l")).select(idx, "host").descriptor().digest())
                .isEqualTo(fake("arm/v7"));
    }

    @Test
    void variantlessEntriesServeVariantRequests() throws OciException {
        // The Docker manifest-list fixture lists arm64 and arm with no variant (older Docker Hub images).
        ImageIndex idx = (ImageIndex) ManifestDocument.parse(Fixtures.read("docker-manifest-list.json"));
        var arm64 = ARM64_HOST.select(idx, "host");
        assertThat(arm64.descriptor().digest()).isEqualTo(fake("d-arm64"));
        assertThat(arm64.warnings()).isEmpty();
        var armv7 = AMD64_HOST.select(idx, "arm/v7");
        assertThat(armv7.descriptor().digest()).isEqualTo(fake("d-arm"));
        assertThat(armv7.warnings()).containsExactly("arch arm/v7 requested but falling back to arm");
        // amd64 picks linux, never the windows entry listed after it
        assertThat(AMD64_HOST.select(idx, "amd64").descriptor().digest()).isEqualTo(fake("d-amd64"));
    }

    @Test
    void exactVariantBeatsFallback() throws OciException {
        ImageIndex idx = index("arm", "arm/v6", "arm/v7");
        assertThat(AMD64_HOST.select(idx, "arm/v6").descriptor().digest()).isEqualTo(fake("arm/v6"));
        assertThat(AMD64_HOST.select(idx, "arm/v7").descriptor().digest()).isEqualTo(fake("arm/v7"));
        assertThat(AMD64_HOST.select(idx, "arm").descriptor().digest()).isEqualTo(fake("arm"));
        assertThat(AMD64_HOST.select(idx, "arm/v5").descriptor().digest()).isEqualTo(fake("arm"));
    }

    @Test
    void variantTableOfTheSpec() throws OciException {
        // image-index.md: amd64 v1..v3, ppc64le powerN, riscv64 rva20u64
        ImageIndex idx = index("amd64", "amd64/v3", "ppc64le/power9", "riscv64/rva20u64");
        assertThat(AMD64_HOST.select(idx, "amd64").descriptor().digest()).isEqualTo(fake("amd64"));
        assertThat(AMD64_HOST.select(idx, "amd64/v3").descriptor().digest()).isEqualTo(fake("amd64/v3"));
        assertThat(AMD64_HOST.select(idx, "amd64/v1").descriptor().digest()).isEqualTo(fake("amd64"));
        assertThat(AMD64_HOST.select(idx, "amd64/v2").descriptor().digest()).isEqualTo(fake("amd64"));
        var ppc = AMD64_HOST.select(idx, "ppc64le");
        assertThat(ppc.descriptor().digest()).isEqualTo(fake("ppc64le/power9"));
        assertThat(ppc.warnings()).containsExactly("arch ppc64le requested but falling back to ppc64le/power9");
        assertThat(AMD64_HOST.select(idx, "riscv64").descriptor().digest()).isEqualTo(fake("riscv64/rva20u64"));
        assertThatThrownBy(() -> AMD64_HOST.select(idx, "ppc64le/power10"))
                .hasMessage("requested arch unavailable: ppc64le/power10");
    }

    @Test
    void severalVariantsWithoutBaselineAreAmbiguous() throws OciException {
        ImageIndex idx = index("amd64/v2", "amd64/v3");
        assertThatThrownBy(() -> AMD64_HOST.select(idx, "amd64"))
                .isInstanceOf(OciException.class)
                .hasMessage("arch amd64 is ambiguous in the image index: several variants")
                .extracting(e -> ((OciException) e).hint()).asString().contains("amd64/v2 amd64/v3");
        assertThat(AMD64_HOST.select(idx, "amd64/v2").descriptor().digest()).isEqualTo(fake("amd64/v2"));
    }

    @Test
    void containerdSpellingsAreNormalised() throws OciException {
        ImageIndex idx = index("x86_64", "aarch64/8", "armhf");
        assertThat(AMD64_HOST.select(idx, "amd64").descriptor().digest()).isEqualTo(fake("x86_64"));
        assertThat(ARM64_HOST.select(idx, "host").descriptor().digest()).isEqualTo(fake("aarch64/8"));
        assertThat(AMD64_HOST.select(idx, "arm/v7").descriptor().digest()).isEqualTo(fake("armhf"));
    }

    @Test
    void noMatchListsWhatIsAvailable() throws OciException {
        ImageIndex idx = dockerHub();
        assertThatThrownBy(() -> AMD64_HOST.select(idx, "mips64le"))
                .isInstanceOf(OciException.class)
                .hasMessage("requested arch unavailable: mips64le")
                .extracting(e -> ((OciException) e).hint())
                .isEqualTo("available: 386 amd64 arm/v6 arm/v7 arm64/v8 ppc64le riscv64 s390x");
    }

    @Test
    void windowsOnlyIndexSaysSo() {
        ImageIndex idx = index("windows:amd64");
        assertThatThrownBy(() -> AMD64_HOST.select(idx, "amd64"))
                .extracting(e -> ((OciException) e).hint())
                .isEqualTo("available: (no linux images; windows/amd64)");
    }

    @Test
    void duplicatesWithDifferentDigestsAreAnError() {
        ImageIndex idx = ImageIndex.create(List.of(
                Descriptor.of(MediaType.OCI_MANIFEST, fake("one"), 1).withPlatform(Platform.linux("amd64", null)),
                Descriptor.of(MediaType.OCI_MANIFEST, fake("two"), 1).withPlatform(Platform.linux("amd64", null))), null);
        assertThatThrownBy(() -> AMD64_HOST.select(idx, "amd64")).hasMessage("manifest list: duplicate architecture: amd64");
    }

    @Test
    void duplicateEntriesOfOneDigestAreHarmless() throws OciException {
        Descriptor d = Descriptor.of(MediaType.OCI_MANIFEST, fake("one"), 1).withPlatform(Platform.linux("amd64", null));
        assertThat(AMD64_HOST.select(ImageIndex.create(List.of(d, d), null), "amd64").descriptor()).isEqualTo(d);
    }

    @Test
    void yoloTakesTheFirstImage() throws OciException {
        ImageIndex idx = index("s390x", "amd64");
        var sel = AMD64_HOST.select(idx, "yolo");
        assertThat(sel.descriptor().digest()).isEqualTo(fake("s390x"));
        assertThat(sel.requested()).isNull();
        assertThatThrownBy(() -> AMD64_HOST.select(ImageIndex.create(List.of(), null), "yolo"))
                .hasMessage("image index lists no images");
    }

    @Test
    void malformedArchIsAClearError() {
        assertThatThrownBy(() -> AMD64_HOST.select(index("amd64"), "linux/amd64/v2/x"))
                .isInstanceOf(OciException.class)
                .hasMessageContaining("invalid architecture: linux/amd64/v2/x");
    }
}
