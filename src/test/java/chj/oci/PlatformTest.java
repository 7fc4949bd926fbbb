package chj.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlatformTest {

    @ParameterizedTest
    @CsvSource({
        "x86_64, amd64",
        "amd64, amd64",
        "aarch64, arm64/v8",
        "armv8l, arm64/v8",
        "armv7l, arm/v7",
        "aarch32, arm/v7",
        "armv6l, arm/v6",
        "armv5l, arm/v5",
        "i386, 386",
        "i686, 386",
        "ppc64le, ppc64le",
        "s390x, s390x",
        "mips64le, mips64le",
        "sparc64, sparc64",
    })
    void charliecloudArchMap(String machine, String platform) {
        assertThat(Platform.fromMachine(machine).toString()).isEqualTo(platform);
        assertThat(Platform.fromMachine(machine).os()).isEqualTo("linux");
    }

    @Test
    void hostIsKnownOnThisMachine() {
        // The JVM's os.arch goes through the same map; on the x86-64 and arm64 build machines it must
        // come out as a registry name, not as the JDK's alias.
        Platform host = Platform.host();
        assertThat(host.architecture()).isNotIn("x86_64", "aarch64");
    }

    @Test
    void parseAndPrint() {
        Platform p = Platform.parse("arm/v7");
        assertThat(p.architecture()).isEqualTo("arm");
        assertThat(p.variant()).isEqualTo("v7");
        assertThat(p.os()).isEqualTo("linux");
        assertThat(p.toString()).isEqualTo("arm/v7");
        assertThat(Platform.parse("amd64").variant()).isNull();
        assertThat(Platform.parse("amd64").toString()).isEqualTo("amd64");
    }

    @Test
    void parseRefusesNonsense() {
        assertThatThrownBy(() -> Platform.parse("linux/arm/v7")).hasMessageContaining("invalid architecture: linux/arm/v7");
        assertThatThrownBy(() -> Platform.parse("arm/")).hasMessageContaining("invalid architecture");
        assertThatThrownBy(() -> Platform.parse("")).hasMessageContaining("invalid architecture");
        assertThatThrownBy(() -> Platform.parse("a b")).hasMessageContaining("invalid architecture");
    }

    @Test
    void emptyVariantIsAbsent() {
        assertThat(Platform.linux("arm64", "").variant()).isNull();
    }
}
