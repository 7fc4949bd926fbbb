package chj.build.dockerfile;

import static chj.build.dockerfile.DockerfileParserTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import chj.oci.ImageConfig;
import chj.oci.Platform;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ConfigStateTest {

    /** Applies the instructions of "FROM scratch\n" + body to {@code start}, with {@code vars} in scope. */
    static ConfigState run(ConfigState start, String body, Map<String, String> vars) throws ParseException {
        ConfigState s = start.forNewStage();
        for (Instruction i : DockerfileParserTest.body(body)) s = s.apply(i, new Expansion('\\', vars, i.source()));
        return s;
    }

    static ConfigState run(String body) throws ParseException {
        return run(ConfigState.empty(), body, Map.of());
    }

    static final String ENTRY_EXEC = "ENTRYPOINT [\"exec_entry\", \"p1_entry\"]\n";
    static final String ENTRY_SHELL = "ENTRYPOINT exec_entry p1_entry\n";
    static final String CMD_EXEC = "CMD [\"exec_cmd\", \"p1_cmd\"]\n";
    static final String CMD_SHELL = "CMD exec_cmd p1_cmd\n";

    static String instruction(String kind) {
        return switch (kind) {
            case "entry-exec" -> ENTRY_EXEC;
            case "entry-shell" -> ENTRY_SHELL;
            case "cmd-exec" -> CMD_EXEC;
            case "cmd-shell" -> CMD_SHELL;
            default -> "";
        };
    }

    /** Docker's ENTRYPOINT/CMD table: what runs, for each combination, in either order within a stage. */
    @ParameterizedTest(name = "{0} + {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "none       |none     |''",
        "none       |cmd-exec |exec_cmd,p1_cmd",
        "none       |cmd-shell|/bin/sh,-c,exec_cmd p1_cmd",
        "entry-shell|none     |/bin/sh,-c,exec_entry p1_entry",
        "entry-shell|cmd-exec |/bin/sh,-c,exec_entry p1_entry,exec_cmd,p1_cmd",
        "entry-shell|cmd-shell|/bin/sh,-c,exec_entry p1_entry,/bin/sh,-c,exec_cmd p1_cmd",
        "entry-exec |none     |exec_entry,p1_entry",
        "entry-exec |cmd-exec |exec_entry,p1_entry,exec_cmd,p1_cmd",
        "entry-exec |cmd-shell|exec_entry,p1_entry,/bin/sh,-c,exec_cmd p1_cmd",
    })
    void entrypointCmdMatrix(String entry, String cmd, String expected) throws Exception {
        List<String> want = expected.isEmpty() ? List.of() : List.of(expected.split(","));
        String e = instruction(entry.strip()), c = instruction(cmd.strip());
        assertThat(run(e + c).effectiveCommand()).isEqualTo(want);
        assertThat(run(c + e).effectiveCommand()).isEqualTo(want);
    }

    static ConfigState base(String entrypoint, String cmd) throws Exception {
        var b = ImageConfig.builder(Platform.linux("amd64", null));
        if (entrypoint != null) b.entrypoint(List.of(entrypoint.split(" ")));
        if (cmd != null) b.cmd(List.of(cmd.split(" ")));
        return ConfigState.of(b.build());
    }

    @Test
    void inheritedCmdSurvivesUnlessEntrypointIsSet() throws Exception {
        ConfigState parent = base("/entry", "base-cmd");
        assertThat(run(parent, "ENV A=1\n", Map.of()).effectiveCommand()).containsExactly("/entry", "base-cmd");
        assertThat(run(parent, CMD_EXEC, Map.of()).effectiveCommand()).containsExactly("/entry", "exec_cmd", "p1_cmd");
        ConfigState reset = run(parent, ENTRY_EXEC, Map.of());
        assertThat(reset.cmd()).isNull();
        assertThat(reset.effectiveCommand()).containsExactly("exec_entry", "p1_entry");
        assertThat(run(parent, ENTRY_EXEC + CMD_EXEC, Map.of()).cmd()).containsExactly("exec_cmd", "p1_cmd");
        assertThat(run(parent, CMD_EXEC + ENTRY_EXEC, Map.of()).cmd()).containsExactly("exec_cmd", "p1_cmd");
    }

    @Test
    void cmdSetInTheBaseStageDoesNotProtectItInTheChild() throws Exception {
        ConfigState stage1 = run("CMD [\"c\"]\n");
        assertThat(stage1.cmdSetInStage()).isTrue();
        ConfigState child = run(stage1, "ENTRYPOINT [\"e\"]\n", Map.of());
        assertThat(child.cmd()).isNull();
        assertThat(child.entrypoint()).containsExactly("e");
    }

    @Test
    void emptyEntrypointRemovesIt() throws Exception {
        ConfigState parent = base("/entry", "x");
        ConfigState s = run(parent, "ENTRYPOINT []\n", Map.of());
        assertThat(s.entrypoint()).isNull();
        assertThat(s.cmd()).isNull();
        assertThat(run(parent, "CMD []\n", Map.of()).cmd()).isEmpty();
    }

    @Test
    void shellFormsUseTheCurrentShell() throws Exception {
        ConfigState s = run("SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nCMD echo $HOME | wc\nSHELL [\"pwsh\", \"-c\"]\n"
                + "ENTRYPOINT Get-Date\n");
        assertThat(s.cmd()).containsExactly("/bin/bash", "-o", "pipefail", "-c", "echo $HOME | wc");
        assertThat(s.entrypoint()).containsExactly("pwsh", "-c", "Get-Date");
        assertThat(s.shell()).containsExactly("pwsh", "-c");
    }

    @Test
    void cmdAndEntrypointAreNotSubstituted() throws Exception {
        ConfigState s = run(ConfigState.empty(), "CMD [\"echo\", \"$X\"]\nENTRYPOINT [\"$X\"]\n", Map.of("X", "no"));
        assertThat(s.cmd()).containsExactly("echo", "$X");
        assertThat(s.entrypoint()).containsExactly("$X");
    }

    @Test
    void envReplacesInPlaceAndSubstitutesAgainstTheEnvBeforeTheLine() throws Exception {
        ConfigState parent = ConfigState.of(ImageConfig.builder(Platform.linux("amd64", null))
                .env(List.of("PATH=/usr/bin", "LANG=C")).build());
        ConfigState s = run(parent, "ENV PATH=/opt/bin:$PATH X=$LANG\n", Map.of("PATH", "/usr/bin", "LANG", "C"));
        assertThat(s.env()).containsExactly("PATH=/opt/bin:/usr/bin", "LANG=C", "X=C");
        assertThat(s.envMap()).containsEntry("X", "C");
    }

    @Test
    void workdirIsRelativeToThePreviousOne() throws Exception {
        assertThat(run("WORKDIR a\n").workingDir()).isEqualTo("/a");
        assertThat(run("WORKDIR /usr\nWORKDIR local/../lib/\nWORKDIR ./x//y\n").workingDir()).isEqualTo("/usr/lib/x/y");
        assertThat(run(ConfigState.empty(), "WORKDIR $D/sub\n", Map.of("D", "/srv")).workingDir()).isEqualTo("/srv/sub");
        assertThat(run("WORKDIR /a\nWORKDIR ../../..\n").workingDir()).isEqualTo("/");
        assertThat(ConfigState.empty().workingDirOrRoot()).isEqualTo("/");
    }

    @Test
    void userLabelsStopSignal() throws Exception {
        ConfigState s = run(ConfigState.empty(), "USER ${U}:grp\nLABEL a=1 \"b c\"=\"$U\"\nLABEL a=2\nSTOPSIGNAL SIGRTMIN+3\n",
                Map.of("U", "app"));
        assertThat(s.user()).isEqualTo("app:grp");
        assertThat(s.labels()).containsExactly(Map.entry("a", "2"), Map.entry("b c", "app"));
        assertThat(s.stopSignal()).isEqualTo("SIGRTMIN+3");
        assertThat(run("STOPSIGNAL 9\n").stopSignal()).isEqualTo("9");
        assertThat(run("STOPSIGNAL kill\n").stopSignal()).isEqualTo("kill");
        assertThat(failure(() -> run("STOPSIGNAL SIGNOPE\n")).getMessage())
                .isEqualTo("Dockerfile:2:1: invalid signal: SIGNOPE");
        assertThat(failure(() -> run("STOPSIGNAL 0\n")).detail()).isEqualTo("invalid signal: 0");
    }

    @Test
    void exposedPorts() throws Exception {
        ConfigState s = run(ConfigState.empty(), "EXPOSE 80 443/TCP $UDP 8000-8002 127.0.0.1:9000:90/tcp\nEXPOSE 80/tcp\n",
                Map.of("UDP", "53/udp 5353/udp"));
        assertThat(s.exposedPorts()).containsExactly("80/tcp", "443/tcp", "53/udp", "5353/udp", "8000/tcp", "8001/tcp",
                "8002/tcp", "90/tcp");
        assertThat(failure(() -> run("EXPOSE 80/xyz\n")).detail()).isEqualTo("invalid port: \"80/xyz\": invalid proto: xyz");
        assertThat(failure(() -> run("EXPOSE 70000\n")).detail()).isEqualTo("invalid containerPort: 70000");
        assertThat(failure(() -> run("EXPOSE 90-80\n")).detail()).isEqualTo("invalid containerPort: 90-80");
    }

    @Test
    void volumes() throws Exception {
        ConfigState s = run(ConfigState.empty(), "VOLUME /data $V\nVOLUME [\"/data\", \"/x y\"]\n", Map.of("V", "/logs"));
        assertThat(s.volumes()).containsExactly("/data", "/logs", "/x y");
        assertThat(failure(() -> run("VOLUME $NOPE\n")).detail()).isEqualTo("VOLUME specified can not be an empty string");
    }

    @Test
    void healthcheckOnbuildMaintainer() throws Exception {
        ConfigState s = run("HEALTHCHECK --interval=5m CMD true\nONBUILD RUN make\nONBUILD COPY . /src\nMAINTAINER Me\n");
        assertThat(s.healthcheck().test()).containsExactly("CMD-SHELL", "true");
        assertThat(s.healthcheck().interval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.onBuild()).containsExactly("RUN make", "COPY . /src");
        assertThat(s.author()).isEqualTo("Me");
        assertThat(run(s, "HEALTHCHECK NONE\n", Map.of()).healthcheck().disabled()).isTrue();
        assertThat(s.forNewStage().onBuild()).isEmpty();
    }

    @Test
    void instructionsWithoutConfigEffectLeaveItAlone() throws Exception {
        ConfigState before = run("ENV A=1\n");
        ConfigState after = run(before, "RUN x\nCOPY a b\nADD a b\nARG Z=1\n", Map.of("A", "1"));
        assertThat(after).isEqualTo(before.forNewStage());
    }

    @Test
    void writesAndReadsBackThroughAnImageConfig() throws Exception {
        ConfigState s = run(ConfigState.empty(), "ENV A=1 B=two\nLABEL l=v\nWORKDIR /w\nUSER u\nEXPOSE 80 53/udp\n"
                + "VOLUME /v\nSTOPSIGNAL SIGINT\nSHELL [\"/bin/bash\", \"-c\"]\nHEALTHCHECK --interval=30s --retries=2 CMD [\"/ok\"]\n"
                + "ONBUILD RUN make\nMAINTAINER me\nENTRYPOINT [\"/e\"]\nCMD c\n", Map.of());
        ImageConfig written = s.writeTo(ImageConfig.builder(Platform.linux("amd64", null))).build();
        assertThat(written.env()).containsExactly("A=1", "B=two");
        assertThat(written.labels()).containsExactly(Map.entry("l", "v"));
        assertThat(written.workingDir()).isEqualTo("/w");
        assertThat(written.user()).isEqualTo("u");
        assertThat(written.exposedPorts()).containsExactlyInAnyOrder("80/tcp", "53/udp");
        assertThat(written.volumes()).containsExactly("/v");
        assertThat(written.stopSignal()).isEqualTo("SIGINT");
        assertThat(written.shell()).containsExactly("/bin/bash", "-c");
        assertThat(written.entrypoint()).containsExactly("/e");
        assertThat(written.cmd()).containsExactly("/bin/bash", "-c", "c");
        assertThat(written.author()).isEqualTo("me");
        JsonNode hc = written.tree().path("config").path("Healthcheck");
        assertThat(hc.path("Interval").asLong()).isEqualTo(30_000_000_000L);
        assertThat(hc.path("Retries").asInt()).isEqualTo(2);
        assertThat(hc.has("Timeout")).isFalse();
        assertThat(written.tree().path("config").path("OnBuild").get(0).asText()).isEqualTo("RUN make");
        ConfigState back = ConfigState.of(written);
        assertThat(back).isEqualTo(new ConfigState(s.env(), s.cmd(), s.entrypoint(), s.workingDir(), s.user(), s.labels(),
                s.shell(), new ArrayList<>(back.exposedPorts()), s.volumes(), s.stopSignal(), s.healthcheck(), s.onBuild(),
                s.author(), false));
        assertThat(back.exposedPorts()).containsExactlyInAnyOrderElementsOf(s.exposedPorts());
    }

    @Test
    void writingOverABaseReplacesItsFields() throws Exception {
        ImageConfig base = ImageConfig.builder(Platform.linux("amd64", null)).cmd(List.of("old")).label("keep", "1")
                .volume("/old").build();
        ConfigState s = run(ConfigState.of(base), "ENTRYPOINT [\"/new\"]\n", Map.of());
        ImageConfig out = s.writeTo(base.toBuilder()).build();
        assertThat(out.cmd()).isNull();
        assertThat(out.entrypoint()).containsExactly("/new");
        assertThat(out.labels()).containsEntry("keep", "1");
        assertThat(out.volumes()).containsExactly("/old");
    }
}
