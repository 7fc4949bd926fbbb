package chj.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MediaTypeTest {

    @Test
    void everyTarLayerTypeIsALayer() throws OciException {
        for (String t : new String[] {MediaType.OCI_LAYER_TAR, MediaType.OCI_LAYER_TAR_GZIP, MediaType.OCI_LAYER_TAR_ZSTD,
                MediaType.OCI_NONDISTRIBUTABLE_LAYER_TAR, MediaType.OCI_NONDISTRIBUTABLE_LAYER_TAR_GZIP,
                MediaType.OCI_NONDISTRIBUTABLE_LAYER_TAR_ZSTD, MediaType.DOCKER_LAYER_TAR_GZIP,
                MediaType.DOCKER_FOREIGN_LAYER_TAR_GZIP, MediaType.DOCKER_LAYER_TAR})
            MediaType.checkLayer(t);
    }

    @Test
    void parametersAreIgnored() throws OciException {
        MediaType.checkLayer(MediaType.OCI_LAYER_TAR_GZIP + "; foo=bar");
        assertThat(MediaType.isIndex(MediaType.OCI_INDEX + ";charset=utf-8")).isTrue();
    }

    @Test
    void unknownLayerTypeIsNamed() {
        assertThatThrownBy(() -> MediaType.checkLayer("application/vnd.in-toto+json"))
                .isInstanceOf(OciException.class)
                .hasMessage("unsupported layer media type: application/vnd.in-toto+json");
        assertThatThrownBy(() -> MediaType.checkLayer(MediaType.OCI_LAYER_TAR + "+bzip2"))
                .hasMessageContaining("tar+bzip2");
    }

    @Test
    void kinds() {
        assertThat(MediaType.isIndex(MediaType.DOCKER_MANIFEST_LIST)).isTrue();
        assertThat(MediaType.isIndex(MediaType.OCI_MANIFEST)).isFalse();
        assertThat(MediaType.isImageManifest(MediaType.DOCKER_MANIFEST)).isTrue();
        assertThat(MediaType.isSchema1(MediaType.DOCKER_SCHEMA1_SIGNED)).isTrue();
        assertThat(MediaType.isNondistributable(MediaType.DOCKER_FOREIGN_LAYER_TAR_GZIP)).isTrue();
        assertThat(MediaType.isNondistributable(MediaType.OCI_NONDISTRIBUTABLE_LAYER_TAR_ZSTD)).isTrue();
        assertThat(MediaType.isNondistributable(MediaType.OCI_LAYER_TAR)).isFalse();
    }
}
