package chj.build;

import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

import static chj.build.BuildFixture.chImage;
import static chj.build.BuildFixture.chRun;
import static chj.build.BuildFixture.ok;
import static chj.build.BuildFixture.read;
import static org.assertj.core.api.Assertions.assertThat;

/** ch-image build as an unprivileged user, FROM a busybox image in the loopback registry. */
class BuildIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void buildsRecordsConfigHistoryLayersAndHitsTheCache() throws Exception {
        BuildFixture.Work w = BuildFixture.work("basic");
        w.write("a.txt", "hello\n");
        w.write("sub/b", "bee\n");
        w.write("Dockerfile", """
                FROM %s
                ARG GREETING=hi
                ENV FOO=bar
                RUN echo "$GREETING $FOO $BASE_VAR" > /greeting && id -u > /uid && env | sort > /env
                COPY a.txt /opt/
                COPY sub /opt/sub/
                WORKDIR /w
                RUN <<EOT
                echo heredoc > hd
                EOT
                RUN rm /bin/vi
                LABEL org.test=yes
                USER nobody
                ENTRYPOINT ["/bin/cat"]
                CMD ["/greeting"]
                """.formatted(BuildFixture.busybox()));
        Result r = w.build("-t", "basic", ".");
        ok(r);
        assertThat(r.err()).contains("  1. FROM ", "  4. RUN.S echo", "  5. COPY a.txt /opt/", "grown in 13 instructions: basic",
                "--force=seccomp: modified 0 RUN instructions");
        Path img = w.image("basic");
        assertThat(read(img.resolve("greeting"))).isEqualTo("hi bar base\n");
        assertThat(read(img.resolve("uid"))).isEqualTo("0\n");
        // only ARG and ENV values (and the base's ENV) reach RUN, plus CH_RUNNING, which ch-run sets
        assertThat(read(img.resolve("env")).lines().map(l -> l.split("=")[0]).toList())
                .containsExactlyInAnyOrder("BASE_VAR", "CH_RUNNING", "FOO", "GREETING", "PATH", "PWD", "SHLVL");
        assertThat(read(img.resolve("opt/a.txt"))).isEqualTo("hello\n");
        assertThat(read(img.resolve("opt/sub/b"))).isEqualTo("bee\n");
        assertThat(read(img.resolve("w/hd"))).isEqualTo("heredoc\n");
        assertThat(img.resolve("bin/vi")).doesNotExist();
        assertThat(img.resolve("ch/run-scripts")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(),
                p -> assertThat(p).isEmptyDirectory());

        JsonNode config = JSON.readTree(img.resolve("ch/config.json").toFile());
        JsonNode c = config.get("config");
        assertThat(c.get("Env").toString()).contains("FOO=bar").doesNotContain("GREETING");
        assertThat(c.get("Entrypoint").toString()).isEqualTo("[\"/bin/cat\"]");
        assertThat(c.get("Cmd").toString()).isEqualTo("[\"/greeting\"]");
        assertThat(c.get("WorkingDir").asText()).isEqualTo("/w");
        assertThat(c.get("User").asText()).isEqualTo("nobody");
        assertThat(c.get("Labels").get("org.test").asText()).isEqualTo("yes");
        assertThat(config.get("architecture").asText()).isNotEmpty();
        JsonNode history = config.get("history");
        assertThat(history).hasSize(1 + 12);   // base layer, then one per instruction
        JsonNode run = history.get(3);
        assertThat(run.get("created_by").asText()).startsWith("RUN echo").doesNotContain("#(nop)");
        JsonNode structured = JSON.readTree(run.get("comment").asText());
        assertThat(structured.get("instruction").asText()).isEqualTo("RUN");
        assertThat(structured.get("arguments").get("argv").get(0).asText()).isEqualTo("/bin/sh");
        assertThat(history.get(2).get("empty_layer").asBoolean()).isTrue();   // ENV
        assertThat(history.get(4).has("empty_layer")).isFalse();              // COPY made a layer
        // base layer + RUN, COPY, COPY, WORKDIR, RUN heredoc, RUN rm: each its own layer, pushable
        JsonNode manifest = JSON.readTree(img.resolve("ch/manifest.json").toFile());
        assertThat(manifest.get("layers")).hasSize(7);
        assertThat(config.get("rootfs").get("diff_ids")).hasSize(7);
        String rmLayer = manifest.get("layers").get(6).get("digest").asText();
        Path blob = w.store().resolve("blobs/sha256/" + rmLayer.substring(7));
        Result tar = TestEnv.run(List.of("tar", "-tf", blob.toString()));
        assertThat(tar.out()).contains("bin/.wh.vi");   // deletion is a whiteout in the changeset
        assertThat(img.resolve("ch/tree.snapshot")).exists();

        Result run1 = chRun(w, "basic", "/bin/cat", "/opt/a.txt");
        assertThat(run1.out()).isEqualTo("hello\n");

        // full hit: every instruction starred, nothing executed
        Result again = w.build("-t", "basic", ".");
        ok(again);
        assertThat(again.err()).contains("  4* RUN.S echo", "  5* COPY a.txt", " 13* CMD", "grown in 13 instructions");
        assertThat(again.err()).doesNotContainPattern(" \\d+\\. ");

        // same size, same mtime, different content: a miss here (a stale hit in Charliecloud)
        Path a = w.context().resolve("a.txt");
        FileTime mtime = Files.getLastModifiedTime(a);
        Files.writeString(a, "HELLO\n");
        Files.setLastModifiedTime(a, mtime);
        Result changed = w.build("-t", "basic", ".");
        ok(changed);
        assertThat(changed.err()).contains("  4* RUN.S echo", "  5. COPY a.txt", "  6. COPY sub");
        assertThat(read(img.resolve("opt/a.txt"))).isEqualTo("HELLO\n");
        assertThat(read(img.resolve("greeting"))).isEqualTo("hi bar base\n");   // restored from cached layers
        assertThat(img.resolve("bin/vi")).doesNotExist();

        // a different ARG value is a different state
        Result arg = w.build("-t", "basic", "--build-arg", "GREETING=yo", ".");
        ok(arg);
        assertThat(arg.err()).contains("  4. RUN.S echo");
        assertThat(read(img.resolve("greeting"))).isEqualTo("yo bar base\n");

        // --rebuild executes everything again
        Result rebuild = w.build("-t", "basic", "--rebuild", ".");
        ok(rebuild);
        assertThat(rebuild.err()).contains("  4. RUN.S echo", "  5. COPY a.txt");
        Result globalSpelling = chImage(w, "--rebuild", "build", "-t", "basic", ".");   // where Charliecloud's users put it
        ok(globalSpelling);
        assertThat(globalSpelling.err()).contains("  4. RUN.S echo");

        // build-cache: summary, tree, gc keeps what the image needs
        Result summary = chImage(w, "build-cache");
        ok(summary);
        assertThat(summary.out()).containsPattern("states: +\\d+");
        Result tree = chImage(w, "build-cache", "--tree");
        ok(tree);
        assertThat(tree.out()).contains("FROM ", "RUN.S rm /bin/vi", "(basic)");
        ok(chImage(w, "build-cache", "--gc"));
        Result hitAfterGc = w.build("-t", "basic", ".");   // what the image holds is kept
        ok(hitAfterGc);
        assertThat(hitAfterGc.err()).contains("  4* RUN.S echo", " 13* CMD");
        Result collected = w.build("-t", "other", "--build-arg", "GREETING=yo", ".");   // no image held these
        ok(collected);
        assertThat(collected.err()).contains("  4. RUN.S echo");
        ok(chImage(w, "build-cache", "--reset"));
        Result afterReset = w.build("-t", "basic", ".");
        ok(afterReset);
        assertThat(afterReset.err()).contains("  4. RUN.S echo");
    }

    @Test
    void multiStageCopyFromAndArgScoping() {
        BuildFixture.Work w = BuildFixture.work("multi");
        w.write("Dockerfile", """
                ARG BASE=%s
                ARG WHO=global
                FROM $BASE AS builder
                ARG WHO
                RUN mkdir /out && echo "built by $WHO" > /out/result
                FROM $BASE
                RUN echo "who=[$WHO]" > /scoped
                COPY --from=builder /out/result /final/
                COPY <<EOF /inline.txt
                inline content
                EOF
                """.formatted(BuildFixture.busybox()));
        Result r = w.build("-t", "multi", ".");
        ok(r);
        Path img = w.image("multi");
        assertThat(read(img.resolve("final/result"))).isEqualTo("built by global\n");
        assertThat(read(img.resolve("scoped"))).isEqualTo("who=[]\n");   // a global ARG not re-declared is not in scope
        assertThat(read(img.resolve("inline.txt"))).isEqualTo("inline content\n");
        assertThat(w.image("multi_stage0")).isDirectory();
        Result again = w.build("-t", "multi", "--build-arg", "WHO=me", ".");
        ok(again);
        assertThat(again.err()).contains("RUN.S mkdir").contains("  3. RUN.S mkdir");
        assertThat(read(img.resolve("final/result"))).isEqualTo("built by me\n");
    }

    @Test
    void failuresNameTheInstructionAndLeaveTheStoreAlone() {
        BuildFixture.Work w = BuildFixture.work("fail");
        w.write("Dockerfile", "FROM " + BuildFixture.busybox() + "\nRUN echo one > /one\nRUN exit 3\n");
        Result r = w.build("-t", "fail", ".");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("ch-image: error: build failed: ").contains("Dockerfile:3")
                .contains("RUN.S exit 3").contains("exit status 3");
        assertThat(w.image("fail")).doesNotExist();
        assertThat(w.store().resolve("tmp")).isEmptyDirectory();
        // the completed step is cached, the failed one is not
        w.write("Dockerfile", "FROM " + BuildFixture.busybox() + "\nRUN echo one > /one\nRUN true\n");
        Result fixed = w.build("-t", "fail", ".");
        ok(fixed);
        assertThat(fixed.err()).contains("  2* RUN.S echo one", "  3. RUN.S true");

        w.write("Dockerfile", "FROM " + BuildFixture.busybox() + "\nRUN true\n");
        Result badArg = w.build("-t", "fail", "--build-arg", "NOPE=1", ".");
        assertThat(badArg.exit()).isEqualTo(1);
        assertThat(badArg.err()).contains("NOPE");
        Result noTag = BuildFixture.chImage(w, "build", "-f", w.context().resolve("Dockerfile").toString(), "/");
        ok(noTag);   // tag inferred: "root" for context /
        assertThat(noTag.err()).contains("grown in 2 instructions: root");
    }

    @Test
    void concurrentBuildsIntoOneStore() throws Exception {
        BuildFixture.Work w = BuildFixture.work("conc");
        w.write("shared.txt", "shared\n");
        for (int i = 0; i < 3; i++)
            w.write("Dockerfile." + i, "FROM " + BuildFixture.busybox() + "\nCOPY shared.txt /\nRUN echo " + i
                    + " > /n\nRUN cat /shared.txt /n > /both\n");
        ok(w.build("-t", "warm", "-f", "Dockerfile.0", "."));   // base pulled once before the race
        List<CompletableFuture<Result>> runs = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            runs.add(CompletableFuture.supplyAsync(() -> w.build("-t", "c" + n, "-f", "Dockerfile." + n, ".")));
        }
        runs.add(CompletableFuture.supplyAsync(() -> w.build("-t", "c0", "-f", "Dockerfile.0", "--rebuild", ".")));
        for (CompletableFuture<Result> f : runs) ok(f.get());
        for (int i = 0; i < 3; i++) assertThat(read(w.image("c" + i).resolve("both"))).isEqualTo("shared\n" + i + "\n");
        Result again = w.build("-t", "c1", "-f", "Dockerfile.1", ".");
        ok(again);
        assertThat(again.err()).contains("  4* RUN.S cat");
    }
}
