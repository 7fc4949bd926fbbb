package chj.run;

import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The JDK AOT cache ch-run makes for itself: created on first use, keyed, never in the way. */
class RunAotCacheIT {

    private static List<String> caches(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Result run(String chRun, Map<String, String> env) {
        return TestEnv.runAsUser(List.of(chRun, RunFixture.busybox().toString(), "--", "echo", "ok"), env, null, null);
    }

    @Test
    void madeOnFirstUseAndKeyedByWhatShapesIt() throws IOException {
        Path cache = RunFixture.scratch("chj-run-aot-");
        Map<String, String> env = Map.of("XDG_CACHE_HOME", cache.toString());
        Result first = run(RunFixture.chRun(), env);
        assertThat(first.out()).isEqualTo("ok\n");
        assertThat(first.err()).isEmpty();
        List<String> made = caches(cache.resolve("chj"));
        assertThat(made).hasSize(1);
        assertThat(made.get(0)).matches("ch-run-\\d+-\\d+-\\d+-\\d+-\\d+\\.aot");   // no lock or temp file left
        Result second = run(RunFixture.chRun(), env);
        assertThat(second.out()).isEqualTo("ok\n");
        assertThat(caches(cache.resolve("chj"))).isEqualTo(made);

        // A different launcher (its JVM flags shape the cache) gets a cache of its own.
        Path other = RunFixture.scratch("chj-run-aot-install-");
        Result cp = TestEnv.runAsUser(List.of("cp", "-r", TestEnv.install().resolve("bin").toString(),
                TestEnv.install().resolve("target").toString(), other.toString()));
        assertThat(cp.exit()).as(cp.toString()).isZero();
        Files.writeString(other.resolve("bin/ch-run"), "\n# changed\n", java.nio.file.StandardOpenOption.APPEND);
        Result changed = run(other.resolve("bin/ch-run").toString(), env);
        assertThat(changed.out()).isEqualTo("ok\n");
        assertThat(caches(cache.resolve("chj"))).hasSize(2).containsAll(made);
    }

    @Test
    void aReinstalledJarGetsACacheOfItsOwnAndTheJvmTakesIt() throws IOException {
        Path cache = RunFixture.scratch("chj-run-aot-reinstall-");
        Path inst = RunFixture.scratch("chj-run-aot-copy-");
        Result cp = TestEnv.runAsUser(List.of("cp", "-rp", TestEnv.install().resolve("bin").toString(),
                TestEnv.install().resolve("target").toString(), inst.toString()));
        assertThat(cp.exit()).as(cp.toString()).isZero();
        String chRun = inst.resolve("bin/ch-run").toString();
        Map<String, String> env = Map.of("XDG_CACHE_HOME", cache.toString());
        assertThat(run(chRun, env).out()).isEqualTo("ok\n");
        List<String> first = caches(cache.resolve("chj"));
        assertThat(first).hasSize(1);
        // the same bytes, installed again: the JVM would refuse the first cache for the jar's new mtime
        Result touch = TestEnv.runAsUser(List.of("touch", inst.resolve("target/chj.jar").toString()));
        assertThat(touch.exit()).as(touch.toString()).isZero();
        assertThat(run(chRun, env).out()).isEqualTo("ok\n");
        assertThat(caches(cache.resolve("chj"))).hasSize(2).containsAll(first);
        // and the JVM loads classes from the new one
        Result logged = run(chRun, Map.of("XDG_CACHE_HOME", cache.toString(), "CHJ_JVM_OPTS", "-Xlog:class+load=info"));
        assertThat(logged.out()).contains("chj.run.Main source: shared objects file");
    }

    @Test
    void noCacheWhenOffOrUnwritable() throws IOException {
        Path cache = RunFixture.scratch("chj-run-noaot-");
        Result off = run(RunFixture.chRun(), Map.of("XDG_CACHE_HOME", cache.toString(), "CHJ_AOT", "0"));
        assertThat(off.out()).isEqualTo("ok\n");
        assertThat(caches(cache.resolve("chj"))).isEmpty();
        Result unwritable = run(RunFixture.chRun(), Map.of("XDG_CACHE_HOME", "/proc/chj-no-such-dir"));
        assertThat(unwritable.exit()).as(unwritable.toString()).isZero();
        assertThat(unwritable.out()).isEqualTo("ok\n");
        assertThat(unwritable.err()).isEmpty();
    }
}
