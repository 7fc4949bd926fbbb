package chj.build.dockerfile;

import static chj.build.dockerfile.DockerfileParserTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import chj.oci.Platform;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuildPlanTest {

    static final Platform AMD64 = Platform.linux("amd64", null);
    static final Platform ARM64 = Platform.linux("arm64", "v8");

    static BuildPlan plan(String text, Map<String, String> buildArgs, String target) throws ParseException {
        return BuildPlan.create(Dockerfile.parse(text, "Dockerfile"), new BuildPlan.Options(buildArgs, target, AMD64, ARM64));
    }

    static BuildPlan plan(String text) throws ParseException {
        return plan(text, Map.of(), null);
    }

    @Test
    void globalArgsFeedFrom() throws Exception {
        BuildPlan p = plan("ARG REG=docker.io\nARG IMG=${REG}/library/alpine\nARG TAG\nFROM ${IMG}:${TAG:-3.19}\n");
        assertThat(p.target().base()).isEqualTo(new BuildPlan.Base.Image("docker.io/library/alpine:3.19"));
        assertThat(p.globalArgs()).containsEntry("IMG", "docker.io/library/alpine").doesNotContainKey("TAG");
    }

    @Test
    void buildArgOverridesGlobalDefault() throws Exception {
        BuildPlan p = plan("ARG TAG=3.18\nFROM alpine:$TAG\n", Map.of("TAG", "edge"), null);
        assertThat(p.target().base()).isEqualTo(new BuildPlan.Base.Image("alpine:edge"));
    }

    @Test
    void platformArgsArePredefinedForFrom() throws Exception {
        BuildPlan p = plan("FROM --platform=$BUILDPLATFORM golang AS build\nFROM base-$TARGETARCH$TARGETVARIANT:$TARGETOS\n");
        assertThat(p.stages().getFirst().platform()).isEqualTo("linux/amd64");
        assertThat(p.target().base()).isEqualTo(new BuildPlan.Base.Image("base-arm64v8:linux"));
        assertThat(p.globalArgs()).containsEntry("TARGETPLATFORM", "linux/arm64/v8").containsEntry("BUILDARCH", "amd64")
                .containsEntry("TARGETSTAGE", "default");
        BuildPlan overridden = plan("FROM base-$TARGETARCH\n", Map.of("TARGETARCH", "riscv64"), null);
        assertThat(overridden.target().base()).isEqualTo(new BuildPlan.Base.Image("base-riscv64"));
    }

    @Test
    void blankBaseAndBadPlatform() {
        assertThat(failure(() -> plan("ARG X\nFROM $X\n")).getMessage())
                .isEqualTo("Dockerfile:2:1: base name ($X) should not be blank");
        assertThat(failure(() -> plan("FROM --platform=$NOPE alpine\n")).detail())
                .isEqualTo("empty platform value from expression $NOPE");
        assertThat(failure(() -> plan("FROM ${X:?required}\n")).getMessage())
                .isEqualTo("Dockerfile:1:1: failed to process \"${X:?required}\": X: required");
    }

    @Test
    void unconsumedBuildArgIsAnError() {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("USED", "1");
        args.put("TYPO", "2");
        args.put("OTHER", "3");
        ParseException e = failure(() -> plan("FROM scratch\nARG USED\n", args, null));
        assertThat(e.getMessage()).isEqualTo("--build-arg: not consumed: TYPO OTHER");
        assertThat(e.location()).isNull();
    }

    @Test
    void argsAnywhereConsumeBuildArgsEvenInSkippedStages() throws Exception {
        plan("ARG G\nFROM scratch AS a\nARG IN_A\nFROM scratch AS b\nONBUILD ARG TRIGGERED\n",
                Map.of("G", "1", "IN_A", "2", "TRIGGERED", "3"), "b");
    }

    @Test
    void predefinedBuildArgsNeedNoArg() throws Exception {
        plan("FROM scratch\n", Map.of("HTTP_PROXY", "http://p:3128", "no_proxy", "localhost", "All_Proxy", "x",
                "TARGETARCH", "amd64", "SOURCE_DATE_EPOCH", "0", "BUILDKIT_INLINE_CACHE", "1"), null);
        assertThat(BuildPlan.isPredefined("USER")).isFalse();
    }

    @Test
    void stagesNeededByTheTarget() throws Exception {
        String df = """
                FROM alpine AS base
                FROM base AS deps
                FROM golang AS tools
                FROM base AS build
                COPY --from=deps /a /a
                RUN --mount=type=bind,from=tools,source=/go,target=/go make
                FROM scratch AS unused
                FROM alpine AS final
                COPY --from=3 /out /out
                COPY --from=busybox:musl /bin/busybox /bin/
                """;
        BuildPlan p = plan(df);
        assertThat(p.target().name()).isEqualTo("final");
        assertThat(p.stagesToBuild()).extracting(BuildPlan.PlannedStage::name)
                .containsExactly("base", "deps", "tools", "build", "final");
        assertThat(p.stages().get(4).needed()).isFalse();
        assertThat(p.stages().get(3).dependencies()).containsExactly(0, 1, 2);
        assertThat(p.stages().get(3).base()).isEqualTo(new BuildPlan.Base.StageOutput(0));
        assertThat(p.target().dependencies()).containsExactly(3);
        assertThat(p.target().imageSources()).containsExactly("busybox:musl");
        assertThat(p.stages().get(4).base()).isEqualTo(new BuildPlan.Base.Scratch());
    }

    @Test
    void targetChoosesTheLastStageToBuild() throws Exception {
        String df = "FROM alpine AS Base\nFROM base AS test\nFROM base AS release\n";
        BuildPlan p = plan(df, Map.of(), "TEST");
        assertThat(p.target().index()).isEqualTo(1);
        assertThat(p.stagesToBuild()).extracting(BuildPlan.PlannedStage::index).containsExactly(0, 1);
        assertThat(p.globalArgs()).containsEntry("TARGETSTAGE", "TEST");
        assertThat(failure(() -> plan(df, Map.of(), "nope")).getMessage()).isEqualTo("target stage \"nope\" could not be found");
    }

    @Test
    void stageNamesInFromAreCaseInsensitiveAndOnlyEarlierStagesCount() throws Exception {
        BuildPlan p = plan("FROM later AS first\nFROM FIRST AS later\n");
        assertThat(p.stages().get(0).base()).isEqualTo(new BuildPlan.Base.Image("later"));
        assertThat(p.stages().get(1).base()).isEqualTo(new BuildPlan.Base.StageOutput(0));
    }

    @Test
    void badCopyFrom() {
        assertThat(failure(() -> plan("FROM a AS x\nCOPY --from=y /a /a\nFROM b AS y\n")).getMessage())
                .isEqualTo("Dockerfile:2:1: cannot copy from stage \"y\", it needs to be defined before the current stage");
        assertThat(failure(() -> plan("FROM a\nCOPY --from=0 /a /a\n")).detail()).startsWith("cannot copy from stage \"0\"");
        assertThat(failure(() -> plan("FROM a\nCOPY --from=7 /a /a\n")).detail()).isEqualTo("invalid stage index 7");
        assertThat(failure(() -> plan("FROM a AS x\nFROM b\nCOPY --from=$S /a /a\n")).detail())
                .startsWith("variable expansion is not supported for --from");
    }

    @Test
    void firstStagesAreDependenciesFirst() throws Exception {
        BuildPlan p = plan("FROM a AS one\nFROM b AS two\nCOPY --from=one / /\nFROM two\n");
        List<BuildPlan.PlannedStage> order = p.stagesToBuild();
        for (BuildPlan.PlannedStage s : order)
            for (int d : s.dependencies()) assertThat(order.indexOf(p.stages().get(d))).isLessThan(order.indexOf(s));
    }
}
