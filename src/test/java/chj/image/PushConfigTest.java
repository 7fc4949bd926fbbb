package chj.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chj.oci.Digest;
import chj.oci.ImageConfig;
import chj.oci.MediaType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config push publishes: the image's own settings, layers and history that match one to one. */
class PushConfigTest {

    static final Digest A = Digest.sha256("a".getBytes()), B = Digest.sha256("b".getBytes()), NEW = Digest.sha256("new".getBytes());
    static final Instant T = Instant.parse("2024-05-01T00:00:00Z");

    @TempDir
    Path tmp;

    static ImageConfig pulled(String history) throws Exception {
        return ImageConfig.parse(("""
                {"architecture":"arm64","variant":"v8","os":"linux","created":"2030-01-01T00:00:00Z",
                 "config":{"Env":["PATH=/bin","FOO=bar"],"Cmd":["/bin/sh"],"Entrypoint":["/init"],"WorkingDir":"/w",
                           "User":"1000","Labels":{"l":"v"}},
                 "rootfs":{"type":"layers","diff_ids":["%s","%s"]},
                 "history":%s,
                 "x-unknown":{"kept":true}}""").formatted(A, B, history).getBytes(StandardCharsets.UTF_8));
    }

    static long nonEmpty(ImageConfig c) {
        return c.history().stream().filter(h -> !h.emptyLayer()).count();
    }

    @Test
    void aChangesetOnTopKeepsEverythingAndAddsOneLayerAndOneHistoryEntry() throws Exception {
        ImageConfig base = pulled("""
                [{"created":"2020-01-01T00:00:00Z","created_by":"base"},{"created_by":"ENV FOO=bar","empty_layer":true},
                 {"created":"2031-01-01T00:00:00Z","created_by":"RUN x"}]""");
        ImageConfig c = PushConfig.compose(base, 2, List.of(new PushConfig.FreshLayer(NEW, "changes")), T, T);
        assertThat(c.diffIds()).containsExactly(A, B, NEW);
        assertThat(nonEmpty(c)).isEqualTo(3);
        assertThat(c.history()).extracting(ImageConfig.History::createdBy).containsExactly("base", "ENV FOO=bar", "RUN x", "changes");
        assertThat(c.history().getLast().created()).isEqualTo("2024-05-01T00:00:00Z");
        // SOURCE_DATE_EPOCH clamps later times and leaves earlier ones
        assertThat(c.history().get(0).created()).isEqualTo("2020-01-01T00:00:00Z");
        assertThat(c.history().get(2).created()).isEqualTo("2024-05-01T00:00:00Z");
        assertThat(c.created()).isEqualTo("2024-05-01T00:00:00Z");
        assertThat(c.architecture()).isEqualTo("arm64");
        assertThat(c.variant()).isEqualTo("v8");
        assertThat(c.env()).containsExactly("PATH=/bin", "FOO=bar");
        assertThat(c.cmd()).containsExactly("/bin/sh");
        assertThat(c.entrypoint()).containsExactly("/init");
        assertThat(c.workingDir()).isEqualTo("/w");
        assertThat(c.user()).isEqualTo("1000");
        assertThat(c.labels()).containsEntry("l", "v");
        assertThat(c.tree().path("x-unknown").path("kept").asBoolean()).isTrue();
        // the same inputs, the same bytes
        assertThat(PushConfig.compose(base, 2, List.of(new PushConfig.FreshLayer(NEW, "changes")), T, T).digest())
                .isEqualTo(c.digest());
    }

    @Test
    void historyThatDoesNotMatchTheLayersIsKeptAsNotesAndEachLayerGetsAnEntry() throws Exception {
        ImageConfig c = PushConfig.compose(pulled("[]"), 2, List.of(new PushConfig.FreshLayer(NEW, "changes")), T, null);
        assertThat(c.diffIds()).hasSize(3);
        assertThat(nonEmpty(c)).isEqualTo(3);
        ImageConfig odd = PushConfig.compose(pulled("[{\"created_by\":\"only one\"}]"), 2,
                List.of(new PushConfig.FreshLayer(NEW, "changes")), T, null);
        assertThat(nonEmpty(odd)).isEqualTo(3);
        assertThat(odd.history().getFirst().createdBy()).isEqualTo("only one");
        assertThat(odd.history().getFirst().emptyLayer()).isTrue();
        assertThat(odd.history().getFirst().created()).as("no clamp without SOURCE_DATE_EPOCH").isNull();
    }

    @Test
    void flatteningLeavesOneLayerAndOneNonEmptyEntry() throws Exception {
        ImageConfig base = pulled("[{\"created_by\":\"base\"},{\"created_by\":\"RUN x\"}]");
        ImageConfig c = PushConfig.compose(base, 0, List.of(new PushConfig.FreshLayer(NEW, "flat")), T, null);
        assertThat(c.diffIds()).containsExactly(NEW);
        assertThat(nonEmpty(c)).isEqualTo(1);
        assertThat(c.history()).extracting(ImageConfig.History::createdBy).containsExactly("base", "RUN x", "flat");
        assertThat(c.history().getLast().emptyLayer()).isFalse();
    }

    @Test
    void anImportedImageKeepsTheHistoryThatDescribesItsOneLayer() throws Exception {
        ImageConfig imported = ImageConfig.builder(chj.oci.Platform.linux("amd64", null))
                .history(ImageConfig.History.of("2035-01-01T00:00:00Z", "ch-image import src", false)).build();
        ImageConfig c = PushConfig.compose(imported, 0, List.of(new PushConfig.FreshLayer(NEW, "one layer")), T, T);
        assertThat(c.diffIds()).containsExactly(NEW);
        assertThat(c.history()).extracting(ImageConfig.History::createdBy).containsExactly("ch-image import src");
        assertThat(c.history().getFirst().created()).isEqualTo(T.toString());
        assertThatThrownBy(() -> PushConfig.compose(imported, 1, List.of(), T, T)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDirectoryWithoutConfigTakesCharliecloudsMetadataOrTheHost() throws Exception {
        Path plain = Files.createDirectory(tmp.resolve("plain"));
        ImageConfig host = PushConfig.of(plain);
        assertThat(host.architecture()).isEqualTo(chj.oci.Platform.host().architecture());
        assertThat(host.os()).isEqualTo("linux");

        Path cc = Files.createDirectories(tmp.resolve("cc/ch"));
        Files.writeString(cc.resolve("metadata.json"), """
                {"arch": "ppc64le", "arg": {}, "cwd": "/work", "env": {"A": "1", "PATH": "/usr/bin"},
                 "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "FROM x", "empty_layer": false}],
                 "labels": {"maintainer": "me"}, "shell": ["/bin/sh", "-c"], "volumes": ["/data"]}""");
        ImageConfig c = PushConfig.of(cc.getParent());
        assertThat(c.architecture()).isEqualTo("ppc64le");
        assertThat(c.envMap()).containsEntry("A", "1").containsEntry("PATH", "/usr/bin");
        assertThat(c.workingDir()).isEqualTo("/work");
        assertThat(c.labels()).containsEntry("maintainer", "me");
        assertThat(c.volumes()).containsExactly("/data");
        assertThat(c.history()).extracting(ImageConfig.History::createdBy).containsExactly("FROM x");

        Files.writeString(cc.resolve("config.json"), "{\"architecture\":\"s390x\",\"os\":\"linux\"}");
        assertThat(PushConfig.of(cc.getParent()).architecture()).as("ch/config.json wins").isEqualTo("s390x");
        Files.writeString(cc.resolve("config.json"), "{\"architecture\":7}");
        assertThatThrownBy(() -> PushConfig.of(cc.getParent())).isInstanceOf(ImageException.class).hasMessageContaining("architecture");
    }

    @Test
    void layerTypesFollowTheManifestFamily() throws Exception {
        assertThat(ManifestFormat.DOCKER.layerType(MediaType.OCI_LAYER_TAR_GZIP)).isEqualTo(MediaType.DOCKER_LAYER_TAR_GZIP);
        assertThat(ManifestFormat.DOCKER.layerType(MediaType.OCI_LAYER_TAR)).isEqualTo(MediaType.DOCKER_LAYER_TAR);
        assertThat(ManifestFormat.OCI.layerType(MediaType.DOCKER_LAYER_TAR_GZIP)).isEqualTo(MediaType.OCI_LAYER_TAR_GZIP);
        assertThat(ManifestFormat.OCI.layerType(MediaType.OCI_LAYER_TAR_ZSTD)).isEqualTo(MediaType.OCI_LAYER_TAR_ZSTD);
        assertThatThrownBy(() -> ManifestFormat.DOCKER.layerType(MediaType.OCI_LAYER_TAR_ZSTD))
                .isInstanceOf(ImageException.class).hasMessageContaining("zstd");
        assertThat(ManifestFormat.of(MediaType.DOCKER_MANIFEST)).isEqualTo(ManifestFormat.DOCKER);
        assertThat(ManifestFormat.of(MediaType.OCI_MANIFEST)).isEqualTo(ManifestFormat.OCI);
    }
}
