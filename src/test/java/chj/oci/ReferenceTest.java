package chj.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ReferenceTest {

    private static final Map<String, String> NO_ENV = Map.of();

    @Test
    void dockerHubDefaults() {
        Reference r = Reference.parse("alpine", NO_ENV);
        assertThat(r.host()).isNull();
        assertThat(r.registryAuthority()).isEqualTo("registry-1.docker.io");
        assertThat(r.repository()).isEqualTo("library/alpine");
        assertThat(r.tagOrDigest()).isEqualTo("latest");
        assertThat(r.toString()).isEqualTo("alpine");
        assertThat(r.storeName()).isEqualTo("alpine");
    }

    @Test
    void hostPortPathTag() {
        Reference r = Reference.parse("127.0.0.1:5000/foo/bar:1.0", NO_ENV);
        assertThat(r.registryHost()).isEqualTo("127.0.0.1");
        assertThat(r.registryPort()).isEqualTo(5000);
        assertThat(r.repository()).isEqualTo("foo/bar");
        assertThat(r.tag()).isEqualTo("1.0");
        assertThat(r.storeName()).isEqualTo("127.0.0.1+5000%foo%bar+1.0");
        assertThat(Reference.parse(r.storeName(), NO_ENV)).isEqualTo(r);
    }

    @Test
    void firstComponentWithoutDotOrPortIsAPath() {
        Reference r = Reference.parse("localhost/foo", NO_ENV);
        assertThat(r.host()).isNull();
        assertThat(r.path()).containsExactly("localhost");
        assertThat(r.repository()).isEqualTo("localhost/foo");
        assertThat(Reference.parse("quay.io/foo/bar", NO_ENV).registryHost()).isEqualTo("quay.io");
    }

    @Test
    void digestReference() {
        String hex = "a".repeat(64);
        Reference r = Reference.parse("example.com/x@sha256:" + hex, NO_ENV);
        assertThat(r.digest()).isEqualTo(new Digest("sha256", hex));
        assertThat(r.tagOrDigest()).isEqualTo("sha256:" + hex);
        assertThat(r.toString()).isEqualTo("example.com/x@sha256:" + hex);
    }

    @Test
    void defaultRegistryFromEnvironment() {
        Map<String, String> env = Map.of("CH_REGY_DEFAULT_HOST", "mirror.example", "CH_REGY_DEFAULT_PORT", "8443",
                "CH_REGY_PATH_PREFIX", "hub/proxy");
        Reference r = Reference.parse("alpine:3.17", env);
        assertThat(r.registryAuthority()).isEqualTo("mirror.example:8443");
        assertThat(r.repository()).isEqualTo("hub/proxy/alpine");
        assertThat(r.toString()).isEqualTo("alpine:3.17");
        // an explicit host is not redirected
        assertThat(Reference.parse("quay.io/a/b", env).repository()).isEqualTo("a/b");
    }

    @Test
    void badReferencesNameTheFault() {
        assertThatThrownBy(() -> Reference.parse("Alpine", NO_ENV)).hasMessageContaining("invalid name 'Alpine'");
        assertThatThrownBy(() -> Reference.parse("a:b:c", NO_ENV)).hasMessageContaining("invalid");
        assertThatThrownBy(() -> Reference.parse("x@sha256:zz", NO_ENV)).hasMessageContaining("invalid digest");
        assertThatThrownBy(() -> Reference.parse("host.io:99999/a", NO_ENV)).hasMessageContaining("invalid port");
        assertThatThrownBy(() -> Reference.parse("$FOO", NO_ENV)).hasMessageContaining("unresolved variable");
        assertThatThrownBy(() -> Reference.parse("", NO_ENV)).hasMessageContaining("empty");
    }
}
