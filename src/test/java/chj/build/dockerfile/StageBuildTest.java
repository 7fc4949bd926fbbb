package chj.build.dockerfile;

import static chj.build.dockerfile.DockerfileParserTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import chj.oci.ImageConfig;
import chj.oci.Platform;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StageBuildTest {

    static final Platform AMD64 = Platform.linux("amd64", null);

    /** Builds the target stage of {@code text} on {@code base}, returning the steps. */
    static List<Step> steps(String text, Map<String, String> buildArgs, ImageConfig base) throws ParseException {
        return stage(text, buildArgs, base).steps;
    }

    record Built(StageBuild build, List<Step> steps) {}

    static Built stage(String text, Map<String, String> buildArgs, ImageConfig base) throws ParseException {
        BuildPlan plan = BuildPlan.create(Dockerfile.parse(text, "Dockerfile"), new BuildPlan.Options(buildArgs, null, AMD64, AMD64));
        StageBuild b = plan.begin(plan.target(), base);
        List<Step> out = new ArrayList<>();
        for (Instruction i : b.instructions()) out.add(b.apply(i));
        return new Built(b, out);
    }

    static List<Step> steps(String text) throws ParseException {
        return steps(text, Map.of(), null);
    }

    static Step.Run lastRun(List<Step> steps) {
        return (Step.Run) steps.stream().filter(s -> s instanceof Step.Run).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void globalArgsAreOnlyVisibleWhenRedeclared() throws Exception {
        List<Step> s = steps("ARG V=global\nARG W=w\nFROM scratch\nWORKDIR /$V\nARG V\nWORKDIR /$V\nARG W=local-$V\nWORKDIR /$W\n");
        assertThat(s).filteredOn(x -> x instanceof Step.Workdir).extracting(x -> ((Step.Workdir) x).path())
                .containsExactly("/", "/global", "/local-global");
    }

    @Test
    void buildArgBeatsDefaultAndGlobal() throws Exception {
        Built b = stage("ARG V=global\nFROM scratch\nARG V=default\nUSER $V\n", Map.of("V", "cli"), null);
        assertThat(b.build.config().user()).isEqualTo("cli");
        assertThat(b.build.variables()).containsEntry("V", "cli");
    }

    @Test
    void argWithoutValueIsDeclaredButUnset() throws Exception {
        Built b = stage("FROM scratch\nARG NOPE\nUSER x${NOPE:-unset}\n", Map.of(), null);
        assertThat(b.build.config().user()).isEqualTo("xunset");
        assertThat(b.steps.getFirst().history().arguments().get("NOPE").isNull()).isTrue();
    }

    @Test
    void argsDoNotReachTheImageConfigButEnvDoes() throws Exception {
        Built b = stage("FROM scratch\nARG A=1\nENV B=$A\nRUN env\n", Map.of(), null);
        assertThat(b.build.config().env()).containsExactly("B=1");
        assertThat(lastRun(b.steps).environment()).containsEntry("A", "1").containsEntry("B", "1");
    }

    @Test
    void laterDefinitionWinsBetweenEnvAndArg() throws Exception {
        Built b = stage("FROM scratch\nENV X=env\nARG X=arg\nUSER $X\nENV X=env2\nLABEL x=$X\n", Map.of(), null);
        assertThat(b.build.config().user()).isEqualTo("arg");
        assertThat(b.build.config().labels()).containsEntry("x", "env2");
        assertThat(b.build.config().env()).containsExactly("X=env2");
    }

    @Test
    void baseImageEnvIsInScope() throws Exception {
        ImageConfig base = ImageConfig.builder(AMD64).env(List.of("PATH=/base/bin", "HOME=/home/u")).build();
        Built b = stage("FROM x\nWORKDIR $HOME\nENV PATH=$PATH:/more\nRUN true\n", Map.of(), base);
        assertThat(b.build.config().workingDir()).isEqualTo("/home/u");
        assertThat(lastRun(b.steps).environment()).containsEntry("PATH", "/base/bin:/more");
    }

    @Test
    void runEnvironmentGetsProxiesAndADefaultPath() throws Exception {
        Step.Run r = lastRun(steps("FROM scratch\nRUN true\n", Map.of("https_proxy", "http://p:3128", "TARGETARCH", "x"), null));
        assertThat(r.environment()).containsEntry("https_proxy", "http://p:3128")
                .containsEntry("PATH", StageBuild.DEFAULT_PATH).doesNotContainKey("TARGETARCH");
        assertThat(r.workingDir()).isEqualTo("/");
        assertThat(r.user()).isNull();
    }

    @Test
    void runIsNotSubstitutedExecFormIsNotEither() throws Exception {
        List<Step> s = steps("FROM scratch\nENV X=1\nUSER app\nWORKDIR /w\nRUN echo $X \"$X\"\nRUN [\"echo\", \"$X\"]\n");
        Step.Run shell = (Step.Run) s.get(3), exec = (Step.Run) s.get(4);
        assertThat(shell.argv()).containsExactly("/bin/sh", "-c", "echo $X \"$X\"");
        assertThat(exec.argv()).containsExactly("echo", "$X");
        assertThat(shell.user()).isEqualTo("app");
        assertThat(shell.workingDir()).isEqualTo("/w");
        assertThat(shell.history().createdBy()).isEqualTo("RUN echo $X \"$X\"");
        assertThat(exec.history().createdBy()).isEqualTo("RUN [\"echo\",\"$X\"]");
        assertThat(shell.history().emptyLayer()).isFalse();
        assertThat(shell.changesFilesystem()).isTrue();
    }

    @Test
    void runUsesTheShell() throws Exception {
        Step.Run r = lastRun(steps("FROM scratch\nSHELL [\"/bin/bash\", \"-euo\", \"pipefail\", \"-c\"]\nRUN a | b\n"));
        assertThat(r.argv()).containsExactly("/bin/bash", "-euo", "pipefail", "-c", "a | b");
    }

    @Test
    void runHeredocs() throws Exception {
        List<Step> s = steps("FROM scratch\nRUN <<EOF\necho $HOME\nEOF\nRUN <<-EOF\n\t#!/usr/bin/env python3\n\tprint(1)\n\tEOF\n"
                + "RUN cat <<A > /a && cat <<B\nx\nA\ny\nB\n");
        assertThat(((Step.Run) s.get(0)).argv()).containsExactly("/bin/sh", "-c", "echo $HOME\n");
        Step.Run script = (Step.Run) s.get(1);
        assertThat(script.script()).isEqualTo(new InlineFile("EOF", "#!/usr/bin/env python3\nprint(1)\n", 0755, "/dev/pipes/EOF"));
        assertThat(script.argv()).containsExactly("/bin/sh", "-c", "/dev/pipes/EOF");
        assertThat(((Step.Run) s.get(2)).argv()).containsExactly("/bin/sh", "-c", "cat <<A > /a && cat <<B\nx\nA\ny\nB");
        assertThat(((Step.Run) s.get(2)).history().arguments().get("heredocs").toString()).isEqualTo("[\"A\",\"B\"]");
    }

    @Test
    void runMountsAreSubstitutedAndResolved() throws Exception {
        List<Step> s = steps("FROM alpine AS tools\nFROM scratch\nARG C=/cache\nRUN --mount=type=cache,target=$C "
                + "--mount=from=tools,target=/t --mount=type=bind,target=/ctx,rw --network=none make\n");
        Step.Run r = lastRun(s);
        assertThat(r.mounts()).extracting(m -> m.spec().type(), m -> m.spec().target(), m -> m.spec().readOnly(), Step.Mount::from)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("cache", "/cache", false, new CopyFrom.Context()),
                        org.assertj.core.groups.Tuple.tuple("bind", "/t", true, new CopyFrom.Stage(0)),
                        org.assertj.core.groups.Tuple.tuple("bind", "/ctx", false, new CopyFrom.Context()));
        assertThat(r.network()).isEqualTo("none");
        assertThat(failure(() -> steps("FROM scratch\nARG T\nRUN --mount=type=bind,target=$T x\n")).getMessage())
                .isEqualTo("Dockerfile:3:1: mount type=bind needs a target");
    }

    @Test
    void copyIsSubstitutedAndDestinationIsMadeAbsolute() throws Exception {
        List<Step> s = steps("FROM scratch\nARG SRC=app\nWORKDIR /srv\nCOPY --chown=$U:1 ${SRC}/*.py conf/ ./$SRC/\n"
                + "COPY a.txt b\nCOPY a.txt .\nCOPY [\"x y\", \"/abs/../dir/\"]\n");
        Step.Copy c = (Step.Copy) s.get(2);
        assertThat(c.sources()).containsExactly("app/*.py", "conf/");
        assertThat(c.destination()).isEqualTo("/srv/app/");
        assertThat(c.chown()).isEqualTo(":1");
        assertThat(c.from()).isEqualTo(new CopyFrom.Context());
        assertThat(((Step.Copy) s.get(3)).destination()).isEqualTo("/srv/b");
        assertThat(((Step.Copy) s.get(4)).destination()).isEqualTo("/srv/");
        assertThat(((Step.Copy) s.get(5)).destination()).isEqualTo("/dir/");
        assertThat(c.history().createdBy()).isEqualTo("COPY app/*.py conf/ /srv/app/");
        JsonNode args = c.history().arguments();
        assertThat(args.get("sources").toString()).isEqualTo("[\"app/*.py\",\"conf/\"]");
        assertThat(args.get("destination").asText()).isEqualTo("/srv/app/");
        assertThat(args.get("chown").asText()).isEqualTo(":1");
    }

    @Test
    void copyFromStagesAndImages() throws Exception {
        List<Step> s = steps("FROM alpine AS Build\nFROM scratch\nCOPY --from=BUILD /out /\nCOPY --from=0 /x /\n"
                + "COPY --from=busybox:latest /bin/busybox /bin/\n");
        assertThat(s).extracting(x -> ((Step.Copy) x).from()).containsExactly(new CopyFrom.Stage(0), new CopyFrom.Stage(0),
                new CopyFrom.Image("busybox:latest"));
        assertThat(s.getFirst().history().createdBy()).isEqualTo("COPY --from=BUILD /out /");
    }

    @Test
    void copyHeredocsExpandUnlessQuoted() throws Exception {
        List<Step> s = steps("FROM scratch\nENV NAME=world\nCOPY <<hello.txt <<'raw.txt' /out/\nhello $NAME \"q\"\nhello.txt\n"
                + "keep $NAME\nraw.txt\n");
        Step.Copy c = (Step.Copy) s.get(1);
        assertThat(c.inline()).containsExactly(new InlineFile("hello.txt", "hello world \"q\"\n", 0644, null),
                new InlineFile("raw.txt", "keep $NAME\n", 0644, null));
        assertThat(c.sources()).isEmpty();
        assertThat(c.history().createdBy()).isEqualTo("COPY <<hello.txt <<raw.txt /out/");
    }

    @Test
    void addKeepsUrlsAndFlags() throws Exception {
        Step.Add a = (Step.Add) steps("FROM scratch\nARG V=1.2\nADD --checksum=sha256:$V https://example.com/v$V.tgz local.tar /opt/\n")
                .get(1);
        assertThat(a.sources()).containsExactly("https://example.com/v1.2.tgz", "local.tar");
        assertThat(a.checksum()).isEqualTo("sha256:1.2");
        assertThat(Step.Add.isUrl(a.sources().get(0))).isTrue();
        assertThat(Step.Add.isUrl(a.sources().get(1))).isFalse();
        assertThat(a.destination()).isEqualTo("/opt/");
    }

    @Test
    void workdirSteps() throws Exception {
        List<Step> s = steps("FROM scratch\nUSER app\nWORKDIR /\nWORKDIR a/b\n");
        Step.Workdir root = (Step.Workdir) s.get(1), ab = (Step.Workdir) s.get(2);
        assertThat(root.create()).isFalse();
        assertThat(root.changesFilesystem()).isFalse();
        assertThat(root.history().emptyLayer()).isTrue();
        assertThat(ab.path()).isEqualTo("/a/b");
        assertThat(ab.user()).isEqualTo("app");
        assertThat(ab.create()).isTrue();
        assertThat(ab.history().emptyLayer()).isFalse();
    }

    @Test
    void historyForConfigInstructions() throws Exception {
        List<Step> s = steps("FROM scratch\nARG A=1 B\nENV E=$A F=x\nLABEL l=\"v w\"\nCMD run it\nENTRYPOINT [\"/e\"]\nSHELL [\"sh\"]\n"
                + "EXPOSE 80\nVOLUME /v\nUSER u\nSTOPSIGNAL TERM\nMAINTAINER m\nONBUILD RUN x\nHEALTHCHECK --retries=1 CMD [\"c\"]\n");
        assertThat(s).extracting(x -> x.history().createdBy()).containsExactly("ARG A=1 B", "ENV E=1 F=x", "LABEL l=v w",
                "CMD [\"/bin/sh\",\"-c\",\"run it\"]", "ENTRYPOINT [\"/e\"]", "SHELL [\"sh\"]", "EXPOSE 80/tcp",
                "VOLUME [\"/v\"]", "USER u", "STOPSIGNAL TERM", "MAINTAINER m", "ONBUILD RUN x",
                "HEALTHCHECK --retries=1 CMD [\"c\"]");
        assertThat(s).allMatch(x -> x.history().emptyLayer() && !x.changesFilesystem());
        assertThat(s).extracting(x -> x.history().instruction()).containsExactly("ARG", "ENV", "LABEL", "CMD", "ENTRYPOINT",
                "SHELL", "EXPOSE", "VOLUME", "USER", "STOPSIGNAL", "MAINTAINER", "ONBUILD", "HEALTHCHECK");
        assertThat(s.get(0).history().comment()).isEqualTo("{\"instruction\":\"ARG\",\"arguments\":{\"A\":\"1\",\"B\":null}}");
        assertThat(s.get(3).history().arguments().toString()).isEqualTo("[\"/bin/sh\",\"-c\",\"run it\"]");
        assertThat(s.get(12).history().arguments().get("Retries").asInt()).isEqualTo(1);
    }

    @Test
    void historyRoundTripsThroughOci() throws Exception {
        Step.Run r = lastRun(steps("FROM scratch\nRUN --network=host make all\n"));
        ImageConfig.History oci = r.history().toOci("2024-01-01T00:00:00Z");
        assertThat(oci.createdBy()).isEqualTo("RUN make all");
        assertThat(oci.emptyLayer()).isFalse();
        assertThat(oci.created()).isEqualTo("2024-01-01T00:00:00Z");
        assertThat(oci.comment()).isEqualTo("{\"instruction\":\"RUN\",\"arguments\":{\"form\":\"shell\","
                + "\"argv\":[\"/bin/sh\",\"-c\",\"make all\"],\"network\":\"host\"}}");
        assertThat(HistoryEntry.fromOci(oci)).contains(r.history());
        assertThat(HistoryEntry.fromOci(ImageConfig.History.of("t", "/bin/sh -c #(nop) CMD x", true))).isEmpty();
        assertThat(HistoryEntry.fromOci(new ImageConfig.History("t", "x", "buildkit.dockerfile.v0", false, null))).isEmpty();
        ImageConfig built = ImageConfig.builder(AMD64).history(r.history().withEmptyLayer(true).toOci("t")).build();
        assertThat(HistoryEntry.fromOci(built.history().getFirst()).orElseThrow().emptyLayer()).isTrue();
    }

    @Test
    void onbuildTriggersOfTheBaseRunFirst() throws Exception {
        ImageConfig base = ImageConfig.builder(AMD64)
                .configField("OnBuild", chj.json.JsonTree.read("[\"ENV FROM_TRIGGER=1\", \"COPY . /src\"]")).build();
        Built b = stage("FROM parent\nRUN make\n", Map.of(), base);
        assertThat(b.build.triggers()).extracting(Instruction::keyword).containsExactly("ENV", "COPY");
        assertThat(b.steps).extracting(x -> x.instruction().keyword()).containsExactly("ENV", "COPY", "RUN");
        assertThat(b.build.config().env()).containsExactly("FROM_TRIGGER=1");
        assertThat(b.build.config().onBuild()).isEmpty();
        assertThat(((Step.Copy) b.steps.get(1)).destination()).isEqualTo("/src");
    }

    @Test
    void badTriggerInTheBaseIsReported() throws Exception {
        ImageConfig base = ImageConfig.builder(AMD64)
                .configField("OnBuild", chj.json.JsonTree.read("[\"BOGUS x\"]")).build();
        ParseException e = failure(() -> stage("FROM parent\n", Map.of(), base));
        assertThat(e.getMessage()).isEqualTo("ONBUILD trigger of parent:1:1: unknown instruction: BOGUS");
    }

    @Test
    void substitutionErrorsNameTheInstruction() {
        ParseException e = failure(() -> steps("FROM scratch\nRUN true\n  WORKDIR ${DIR:?set DIR}\n"));
        assertThat(e.getMessage()).isEqualTo("Dockerfile:3:3: failed to process \"${DIR:?set DIR}\": DIR: set DIR");
        assertThat(e.caret()).isEqualTo("  WORKDIR ${DIR:?set DIR}\n  ^");
    }

    @Test
    void fromCannotBeApplied() throws Exception {
        BuildPlan plan = BuildPlan.create(Dockerfile.parse("FROM a\nFROM b\n", "D"), new BuildPlan.Options(Map.of(), null, AMD64, AMD64));
        StageBuild b = plan.begin(plan.target(), (ImageConfig) null);
        assertThat(failure(() -> b.apply(plan.stages().getFirst().stage().from())).detail()).contains("FROM");
    }
}
