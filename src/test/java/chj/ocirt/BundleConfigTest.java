package chj.ocirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BundleConfigTest {

    static BundleConfig parse(String json) throws OciRuntimeException {
        return BundleConfig.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsBuildahsRootRunStep() throws Exception {
        BundleConfig c = parse(Fixtures.text(Fixtures.ROOT));
        assertThat(c.ociVersion()).isEqualTo("1.0.2-dev");
        BundleConfig.Process p = c.process();
        assertThat(p.terminal()).isFalse();
        assertThat(p.args()).containsExactly("/bin/sh", "-c",
                "echo \"first run step\" > /probe/first && id && cat /proc/self/uid_map");
        assertThat(p.env()).containsExactly("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HARNESS_PROBE=1", "HOSTNAME=b7e12d1b8b9d");
        assertThat(p.cwd()).isEqualTo("/probe");
        assertThat(p.user()).isEqualTo(new BundleConfig.User(0, 0, List.of(0L), null));
        assertThat(p.rlimits()).containsExactly("RLIMIT_NOFILE", "RLIMIT_NPROC");
        assertThat(p.ignored()).containsExactly("process.capabilities");
        assertThat(c.root()).isEqualTo(new BundleConfig.Root("/var/tmp/buildah2919171501/mnt/rootfs", false));
        assertThat(c.hostname()).isEqualTo("b7e12d1b8b9d");
        assertThat(c.mounts()).hasSize(11);
        assertThat(c.mounts().get(3)).isEqualTo(new BundleConfig.Mount("/etc/hosts", "bind",
                "/var/tmp/buildah2919171501/hosts", List.of("rbind")));
        assertThat(c.mounts().stream().filter(BundleConfig.Mount::isBind).map(BundleConfig.Mount::destination))
                .containsExactly("/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/run/.containerenv");
        assertThat(c.hooks()).isFalse();
        assertThat(c.annotations()).isEmpty();
        assertThat(c.linux().namespaces()).extracting(BundleConfig.Namespace::type)
                .containsExactly("pid", "network", "ipc", "uts", "mount");
        assertThat(c.linux().uidMappings()).isFalse();
        assertThat(c.linux().ignored()).containsExactly("linux.sysctl", "linux.resources", "linux.seccomp",
                "linux.maskedPaths", "linux.readonlyPaths");
    }

    @Test
    void readsTheUserSwitchAndTheRootlessVariant() throws Exception {
        BundleConfig user = parse(Fixtures.text(Fixtures.USER));
        assertThat(user.process().user()).isEqualTo(new BundleConfig.User(65534, 65534, List.of(65534L), null));
        BundleConfig rootless = parse(Fixtures.text(Fixtures.ROOTLESS));
        assertThat(rootless.mounts()).filteredOn(m -> m.destination().equals("/sys"))
                .singleElement().satisfies(m -> assertThat(m.isBind()).isTrue());
        assertThat(rootless.linux().namespaces()).extracting(BundleConfig.Namespace::type).doesNotContain("user");
    }

    @Test
    void optionalPartsMayBeAbsentOrNull() throws Exception {
        BundleConfig c = parse("""
                {"ociVersion":"1.2.0","process":{"args":["/bin/true"],"cwd":"/","user":{"uid":5,"gid":6,"umask":18},
                 "env":null},"root":{"path":"rootfs","readonly":true},"mounts":null,"hooks":{"prestart":[]},
                 "annotations":{"a":"b"}}""");
        assertThat(c.process().env()).isEmpty();
        assertThat(c.process().user()).isEqualTo(new BundleConfig.User(5, 6, List.of(), 18));
        assertThat(c.root().readonly()).isTrue();
        assertThat(c.mounts()).isEmpty();
        assertThat(c.hooks()).as("empty hook lists ask for nothing").isFalse();
        assertThat(c.annotations()).containsEntry("a", "b");
        assertThat(c.linux().namespaces()).isEmpty();
        assertThat(parse("{\"ociVersion\":\"1.0.0\",\"hooks\":{\"createRuntime\":[{\"path\":\"/x\"}]}}").hooks()).isTrue();
    }

    @Test
    void faultsNameTheField() {
        assertThatThrownBy(() -> parse("{\"ociVersion\":\"1.0.0\",\"process\":{\"args\":[\"sh\",3]}}"))
                .hasMessage("config.json: process.args[1]: expected a string");
        assertThatThrownBy(() -> parse("{\"ociVersion\":\"1.0.0\",\"process\":{\"user\":{\"uid\":-1}}}"))
                .hasMessage("config.json: process.user.uid: expected a non-negative 32-bit integer");
        assertThatThrownBy(() -> parse("{\"ociVersion\":\"1.0.0\",\"process\":{\"user\":{\"uid\":4294967296}}}"))
                .hasMessageContaining("process.user.uid");
        assertThatThrownBy(() -> parse("{\"ociVersion\":\"1.0.0\",\"process\":{\"user\":{\"umask\":512}}}"))
                .hasMessage("config.json: process.user.umask: not a umask: 512");
        assertThatThrownBy(() -> parse("{\"ociVersion\":\"1.0.0\",\"mounts\":[{\"type\":\"bind\"}]}"))
                .hasMessage("config.json: mounts[0].destination missing");
        assertThatThrownBy(() -> parse("{\"ociVersion\":\"1.0.0\",\"root\":{\"readonly\":\"yes\",\"path\":\"r\"}}"))
                .hasMessage("config.json: root.readonly: expected true or false");
        assertThatThrownBy(() -> parse("{\"process\":{}}")).hasMessage("config.json: ociVersion missing");
        assertThatThrownBy(() -> parse("[1]")).hasMessage("config.json: expected a JSON object");
        assertThatThrownBy(() -> parse("{\"ociVersion\":\"1.0.0\"")).hasMessageStartingWith("config.json: invalid JSON");
        assertThatThrownBy(() -> parse("{\"ociVersion\":\"1.0.0\"} {}")).hasMessageStartingWith("config.json: invalid JSON");
        assertThatThrownBy(() -> parse("{\"ociVersion\":\"1.0.0\",\"ociVersion\":\"2.0.0\"}"))
                .as("two readers must not see two documents").hasMessageContaining("Duplicate field 'ociVersion'");
    }
}
