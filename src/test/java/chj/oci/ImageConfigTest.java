package chj.oci;

import static chj.oci.Fixtures.fake;
import static chj.oci.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageConfigTest {

    @Test
    void dockerConfig() throws OciException {
        byte[] blob = Fixtures.read("docker-config.json");
        ImageConfig c = ImageConfig.parse(blob);
        assertThat(c.architecture()).isEqualTo("amd64");
        assertThat(c.os()).isEqualTo("linux");
        assertThat(c.variant()).isNull();
        assertThat(c.env()).containsExactly("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8");
        assertThat(c.envMap()).containsEntry("LANG", "C.UTF-8");
        assertThat(c.cmd()).containsExactly("/bin/sh");
        assertThat(c.entrypoint()).isNull(); // JSON null
        assertThat(c.workingDir()).isEmpty();
        assertThat(c.labels()).isEmpty();
        assertThat(c.volumes()).isEmpty();
        assertThat(c.diffIds()).containsExactly(fake("diff1"));
        assertThat(c.history()).hasSize(2);
        assertThat(c.history().get(1).emptyLayer()).isTrue();
        assertThat(c.history().get(1).createdBy()).isEqualTo("/bin/sh -c #(nop)  CMD [\"/bin/sh\"]");
        assertThat(c.history().get(0).emptyLayer()).isFalse();
        assertThat(c.digest()).isEqualTo(Digest.sha256(blob));
        assertThat(c.toJson()).isEqualTo(blob);
    }

    @Test
    void allFieldsChjReads() throws OciException {
        String json = """
            {"architecture":"arm","variant":"v7","os":"linux","created":"2024-01-01T00:00:00Z","author":"me",
             "config":{"User":"1000:1000","Env":["A=1","B=x=y","NOEQUALS","A=2"],"Entrypoint":[],"Cmd":["run","--fast"],
                       "WorkingDir":"/work","Labels":{"org.example":"yes"},"Volumes":{"/data":{},"/cache":{}},
                       "Shell":["/bin/bash","-c"],"ExposedPorts":{"80/tcp":{},"53/udp":{}},"StopSignal":"SIGRTMIN+3"},
             "rootfs":{"type":"layers","diff_ids":[]},
             "history":[{"created":"2024-01-01T00:00:00Z","author":"me","created_by":"RUN x","comment":"hi"}]}""";
        ImageConfig c = ImageConfig.parse(utf8(json));
        assertThat(c.variant()).isEqualTo("v7");
        assertThat(c.user()).isEqualTo("1000:1000");
        assertThat(c.envMap()).containsExactly(java.util.Map.entry("A", "2"), java.util.Map.entry("B", "x=y"));
        assertThat(c.entrypoint()).isEmpty();
        assertThat(c.cmd()).containsExactly("run", "--fast");
        assertThat(c.workingDir()).isEqualTo("/work");
        assertThat(c.labels()).containsEntry("org.example", "yes");
        assertThat(c.volumes()).containsExactly("/data", "/cache");
        assertThat(c.shell()).containsExactly("/bin/bash", "-c");
        assertThat(c.exposedPorts()).containsExactly("80/tcp", "53/udp");
        assertThat(c.stopSignal()).isEqualTo("SIGRTMIN+3");
        assertThat(c.created()).isEqualTo("2024-01-01T00:00:00Z");
        assertThat(c.history().getFirst()).isEqualTo(new ImageConfig.History("2024-01-01T00:00:00Z", "RUN x", "hi", false, "me"));
    }

    @Test
    void wrongTypesNameTheField() {
        assertThatThrownBy(() -> ImageConfig.parse(utf8("{\"config\":{\"Env\":\"A=1\"}}")))
                .isInstanceOf(OciException.class).hasMessage("config.config.Env: expected an array, got a string");
        assertThatThrownBy(() -> ImageConfig.parse(utf8("{\"config\":{\"Cmd\":[\"a\",1]}}")))
                .hasMessage("config.config.Cmd[1]: expected a string, got a number");
        assertThatThrownBy(() -> ImageConfig.parse(utf8("{\"rootfs\":{\"type\":\"squashfs\",\"diff_ids\":[]}}")))
                .hasMessage("config.rootfs.type: expected \"layers\", got \"squashfs\"");
        assertThatThrownBy(() -> ImageConfig.parse(utf8("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"md5:x\"]}}")))
                .hasMessage("config.rootfs.diff_ids[0]: unsupported digest algorithm: md5");
        assertThatThrownBy(() -> ImageConfig.parse(utf8("{\"history\":[{\"empty_layer\":\"yes\"}]}")))
                .hasMessage("config.history[0].empty_layer: expected a boolean, got a string");
        assertThatThrownBy(() -> ImageConfig.parse(utf8("{\"config\":{\"Labels\":{\"a\":1}}}")))
                .hasMessage("config.config.Labels.a: expected a string, got a number");
        assertThatThrownBy(() -> ImageConfig.parse(utf8("nope"))).hasMessageStartingWith("config: invalid JSON");
    }

    @Test
    void minimalConfigIsTolerated() throws OciException {
        ImageConfig c = ImageConfig.parse(utf8("{\"architecture\":\"amd64\",\"os\":\"linux\"}"));
        assertThat(c.env()).isEmpty();
        assertThat(c.cmd()).isNull();
        assertThat(c.diffIds()).isEmpty();
        assertThat(c.history()).isEmpty();
    }

    @Test
    void builderMakesAValidConfig() throws OciException {
        ImageConfig c = ImageConfig.builder(Platform.linux("arm64", "v8"))
                .created("2024-05-01T12:00:00Z")
                .env(List.of("PATH=/bin"))
                .env("LANG", "C")
                .env("PATH", "/usr/bin:/bin")
                .entrypoint(List.of("/entry"))
                .cmd(List.of("--help"))
                .workingDir("/srv")
                .user("nobody")
                .label("a", "b")
                .volume("/data")
                .exposedPort("8080/tcp")
                .stopSignal("SIGINT")
                .addLayer(fake("l1"))
                .history(ImageConfig.History.of("2024-05-01T12:00:00Z", "COPY . /srv", false))
                .history(ImageConfig.History.of("2024-05-01T12:00:00Z", "CMD --help", true))
                .build();
        ImageConfig back = ImageConfig.parse(c.toJson());
        assertThat(back.architecture()).isEqualTo("arm64");
        assertThat(back.variant()).isEqualTo("v8");
        assertThat(back.os()).isEqualTo("linux");
        assertThat(back.env()).containsExactly("PATH=/usr/bin:/bin", "LANG=C");
        assertThat(back.entrypoint()).containsExactly("/entry");
        assertThat(back.cmd()).containsExactly("--help");
        assertThat(back.workingDir()).isEqualTo("/srv");
        assertThat(back.user()).isEqualTo("nobody");
        assertThat(back.labels()).containsEntry("a", "b");
        assertThat(back.volumes()).containsExactly("/data");
        assertThat(back.exposedPorts()).containsExactly("8080/tcp");
        assertThat(back.stopSignal()).isEqualTo("SIGINT");
        assertThat(back.diffIds()).containsExactly(fake("l1"));
        assertThat(back.history()).extracting(ImageConfig.History::emptyLayer).containsExactly(false, true);
        assertThat(back.digest()).isEqualTo(c.digest());
        assertThat(c.size()).isEqualTo(c.toJson().length);
        // the invariant registries check: non-empty history entries = diff_ids
        assertThat(back.history().stream().filter(h -> !h.emptyLayer()).count()).isEqualTo(back.diffIds().size());
        assertThat(new String(c.toJson(), java.nio.charset.StandardCharsets.UTF_8)).contains("\"rootfs\":{\"type\":\"layers\"");
    }

    @Test
    void toBuilderKeepsUnknownFieldsAndChangesOnlyWhatIsSet() throws OciException {
        ImageConfig base = ImageConfig.parse(Fixtures.read("docker-config.json"));
        ImageConfig derived = base.toBuilder().cmd(null).entrypoint(List.of("/x")).addLayer(fake("l2"))
                .history(ImageConfig.History.of(null, "RUN y", false)).build();
        String json = new String(derived.toJson(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).contains("\"docker_version\":\"20.10.23\"").contains("\"Hostname\":\"\"");
        assertThat(derived.cmd()).isNull();
        assertThat(derived.entrypoint()).containsExactly("/x");
        assertThat(derived.env()).isEqualTo(base.env());
        assertThat(derived.diffIds()).containsExactly(fake("diff1"), fake("l2"));
        assertThat(derived.history()).hasSize(3);
        assertThat(derived.digest()).isNotEqualTo(base.digest());
        // the base is untouched
        assertThat(base.cmd()).containsExactly("/bin/sh");
        assertThat(base.diffIds()).hasSize(1);
    }
}
