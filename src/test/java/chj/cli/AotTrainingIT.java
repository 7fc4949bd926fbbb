package chj.cli;

import chj.testing.TestEnv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The training bin/ch-image runs for its AOT cache must make a cache, and its pulls, builds and
 * pushes must work: a training that fails leaves every command without a cache, and one whose
 * commands fail trains nothing of what they do, and nobody would notice either.
 */
class AotTrainingIT {

    @TempDir
    Path tmp;

    @Test
    void trainingMakesACacheAndEveryCommandSucceeds() throws Exception {
        Path cache = tmp.resolve("ch-image.aot");
        Path log = tmp.resolve("training.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the flags of bin/ch-image, with which the cache is made and used
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-XX:-UsePerfData", "-XX:AOTCacheOutput=" + cache, "-cp",
                TestEnv.install().resolve("target/chj.jar").toString(), "chj.cli.AotTraining")
                .redirectErrorStream(true).redirectOutput(log.toFile()).directory(tmp.toFile());
        pb.environment().put("CHJ_AOT_TRAINING_VERBOSE", "1"); // prints what fails
        Process p = pb.start();
        p.getOutputStream().close();
        int exit = p.waitFor();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(exit).as(out).isZero();
        assertThat(out).doesNotContain("training command failed").doesNotContain("Internal Error");
        assertThat(Files.size(cache)).as(out).isGreaterThan(1 << 20);
    }

}
