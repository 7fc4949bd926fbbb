package chj.build.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import chj.oci.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real-world-shaped Dockerfiles, parsed, planned and walked through every needed stage. */
class CorpusTest {

    static final Platform AMD64 = Platform.linux("amd64", null);

    static String read(String name) throws IOException {
        try (InputStream in = CorpusTest.class.getResourceAsStream("corpus/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Every needed stage's steps, each stage starting from its base stage's final config (images: empty). */
    record Walk(BuildPlan plan, Map<Integer, List<Step>> steps, Map<Integer, ConfigState> configs) {}

    static Walk walk(String name, Map<String, String> buildArgs, String target) throws Exception {
        Dockerfile df = Dockerfile.parse(read(name), name);
        BuildPlan plan = BuildPlan.create(df, new BuildPlan.Options(buildArgs, target, AMD64, AMD64));
        Map<Integer, List<Step>> steps = new HashMap<>();
        Map<Integer, ConfigState> configs = new HashMap<>();
        for (BuildPlan.PlannedStage s : plan.stagesToBuild()) {
            ConfigState base = s.base() instanceof BuildPlan.Base.StageOutput so ? configs.get(so.index()) : ConfigState.empty();
            StageBuild b = plan.begin(s, base);
            List<Step> out = new ArrayList<>();
            for (Instruction i : b.instructions()) out.add(b.apply(i));
            steps.put(s.index(), out);
            configs.put(s.index(), b.config());
        }
        return new Walk(plan, steps, configs);
    }

    @ParameterizedTest
    @ValueSource(strings = {"python-web.dockerfile", "go-multistage.dockerfile", "windows-escape.dockerfile",
        "heredocs.dockerfile", "hpc-openmpi.dockerfile", "onbuild-base.dockerfile"})
    void everyFileParsesPlansAndWalks(String name) throws Exception {
        Walk w = walk(name, Map.of(), null);
        assertThat(w.plan().stagesToBuild()).isNotEmpty();
        for (List<Step> steps : w.steps().values())
            for (Step s : steps) {
                assertThat(s.history().createdBy()).startsWith(s.instruction().keyword());
                assertThat(HistoryEntry.fromOci(s.history().toOci("t"))).contains(s.history());
            }
    }

    @Test
    void pythonWeb() throws Exception {
        Walk w = walk("python-web.dockerfile", Map.of("PYTHON_VERSION", "3.11"), null);
        assertThat(w.plan().stages()).extracting(BuildPlan.PlannedStage::base).containsExactly(
                new BuildPlan.Base.Image("python:3.11-slim"), new BuildPlan.Base.Image("python:3.11-slim"));
        assertThat(w.plan().target().dependencies()).containsExactly(0);
        ConfigState c = w.configs().get(1);
        // the base image is not read here, so $PATH is unset: the image's own PATH would follow the colon
        assertThat(c.env()).containsExactly("PATH=/venv/bin:", "PYTHONUNBUFFERED=1");
        assertThat(c.labels()).containsEntry("org.opencontainers.image.title", "web").containsEntry("maintainer", "ops@example.com");
        assertThat(c.user()).isEqualTo("app");
        assertThat(c.workingDir()).isEqualTo("/app");
        assertThat(c.exposedPorts()).containsExactly("8000/tcp");
        assertThat(c.healthcheck().test().getFirst()).isEqualTo("CMD-SHELL");
        assertThat(c.stopSignal()).isEqualTo("SIGINT");
        assertThat(c.cmd()).containsExactly("gunicorn", "--bind", "0.0.0.0:8000", "app:wsgi");
        Step.Run venv = (Step.Run) w.steps().get(0).get(3);
        assertThat(venv.argv().get(2)).isEqualTo("python -m venv /venv     && /venv/bin/pip install -r requirements.txt");
        assertThat(venv.environment()).containsEntry("PIP_NO_CACHE_DIR", "1");
        Step.Copy copy = (Step.Copy) w.steps().get(1).get(4);
        assertThat(copy.chown()).isEqualTo("app:app");
        assertThat(copy.destination()).isEqualTo("/app/");
    }

    @Test
    void goMultistage() throws Exception {
        Walk w = walk("go-multistage.dockerfile", Map.of(), null);
        Dockerfile df = w.plan().dockerfile();
        assertThat(df.directives()).extracting(Directive::name).containsExactly("syntax");
        assertThat(w.plan().stagesToBuild()).extracting(BuildPlan.PlannedStage::name).containsExactly("build", "certs", "final");
        assertThat(w.plan().stages().get(1).needed()).as("test stage").isFalse();
        assertThat(w.plan().stages().getFirst().platform()).isEqualTo("linux/amd64");
        Step.Run build = (Step.Run) w.steps().get(0).get(4);
        assertThat(build.environment()).containsEntry("TARGETARCH", "amd64").containsEntry("TARGETOS", "linux");
        assertThat(build.mounts()).extracting(m -> m.spec().type()).containsExactly("cache", "bind");
        assertThat(w.configs().get(3).entrypoint()).containsExactly("/bin/server");
        assertThat(w.configs().get(3).user()).isEqualTo("65532:65532");

        Walk test = walk("go-multistage.dockerfile", Map.of("GO_VERSION", "1.21"), "test");
        assertThat(test.plan().stagesToBuild()).extracting(BuildPlan.PlannedStage::name).containsExactly("build", "test");
        assertThat(test.plan().stages().getFirst().base()).isEqualTo(new BuildPlan.Base.Image("golang:1.21-alpine"));
    }

    @Test
    void windowsEscape() throws Exception {
        Walk w = walk("windows-escape.dockerfile", Map.of(), null);
        assertThat(w.plan().dockerfile().escape()).isEqualTo('`');
        List<Step> s = w.steps().get(0);
        assertThat(((Step.Run) s.get(3)).argv()).containsExactly("powershell", "-Command", "$ErrorActionPreference = 'Stop';",
                "Invoke-WebRequest -Uri https://example.com/tool.zip -OutFile tool.zip ;     Expand-Archive tool.zip "
                        + "-DestinationPath C:\\tools ;     Remove-Item tool.zip");
        assertThat(w.configs().get(0).env()).containsExactly("APP_HOME=C:\\app");
        assertThat(((Step.Copy) s.get(4)).sources()).containsExactly("config files\\");
        assertThat(w.configs().get(0).cmd().getLast()).isEqualTo("Write-Host \"running in $env:APP_HOME\"");
    }

    @Test
    void heredocs() throws Exception {
        Walk w = walk("heredocs.dockerfile", Map.of(), null);
        List<Step> s = w.steps().get(0);
        assertThat(s).extracting(x -> x.instruction().keyword())
                .containsExactly("ARG", "RUN", "ENV", "COPY", "COPY", "RUN", "RUN", "ENTRYPOINT", "CMD");
        assertThat(((Step.Run) s.get(1)).argv().get(2)).startsWith("set -eux\napt-get update\n");
        assertThat(((Step.Run) s.get(1)).environment()).containsEntry("DEBIAN_FRONTEND", "noninteractive");
        assertThat(((Step.Copy) s.get(3)).inline()).containsExactly(new InlineFile("EOT", "hello from the image\n", 0644, null));
        assertThat(((Step.Copy) s.get(4)).inline().getFirst().content()).isEqualTo("#!/bin/sh\necho \"$GREETING, $1\"\n");
        assertThat(((Step.Run) s.get(5)).script().content()).startsWith("#!/usr/bin/env python3\n");
        assertThat(w.configs().get(0).effectiveCommand()).containsExactly("/usr/local/bin/greet", "world");
    }

    @Test
    void hpcOpenmpi() throws Exception {
        Walk w = walk("hpc-openmpi.dockerfile", Map.of("MPI_VERSION", "5.0.3"), null);
        List<Step> s = w.steps().get(0);
        assertThat(((Step.Run) s.get(0)).argv().get(2)).contains("gcc-c++").contains("&& dnf clean all");
        Step.Run build = (Step.Run) s.get(4);
        assertThat(build.environment()).containsEntry("MPI_URL", "https://download.open-mpi.org/release/open-mpi/v5.0")
                .containsEntry("MPI_VERSION", "5.0.3");
        assertThat(build.workingDir()).isEqualTo("/usr/local/src");
        assertThat(w.configs().get(0).env()).containsExactly("LD_LIBRARY_PATH=/usr/local/lib");
        assertThat(((Step.Copy) s.get(7)).destination()).isEqualTo("/hello/");
        assertThat(((Step.Run) s.get(9)).workingDir()).isEqualTo("/hello");
    }

    @Test
    void onbuildTriggersRunInTheChild() throws Exception {
        Walk w = walk("onbuild-base.dockerfile", Map.of(), null);
        ConfigState parent = w.configs().get(0);
        assertThat(parent.onBuild()).containsExactly("ARG NODE_ENV=production", "COPY package*.json ./",
                "RUN npm ci --omit=dev", "COPY . .");
        Dockerfile child = Dockerfile.parse("FROM parent\nRUN echo $NODE_ENV\n", "child");
        BuildPlan plan = BuildPlan.create(child, new BuildPlan.Options(Map.of(), null, AMD64, AMD64));
        StageBuild b = plan.begin(plan.target(), parent);
        List<Step> steps = new ArrayList<>();
        for (Instruction i : b.instructions()) steps.add(b.apply(i));
        assertThat(steps).extracting(x -> x.instruction().keyword()).containsExactly("ARG", "COPY", "RUN", "COPY", "RUN");
        assertThat(((Step.Copy) steps.get(1)).destination()).isEqualTo("/usr/src/app/");
        assertThat(((Step.Run) steps.get(4)).environment()).containsEntry("NODE_ENV", "production");
        assertThat(b.config().onBuild()).isEmpty();
        assertThat(b.config().cmd()).containsExactly("node", "server.js");
    }
}
