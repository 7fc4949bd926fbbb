package chj.run;

import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;
import org.junit.jupiter.api.Test;

import java.util.List;

import static chj.run.RunFixture.sh;
import static org.assertj.core.api.Assertions.assertThat;

/** SquashFS images through squashfuse in the container's namespace; nothing outlives the container. */
class RunSquashIT {

    @Test
    void runsFromSquashFsAndLeavesNothingBehind() {
        String sqfs = RunFixture.squash().toString();
        Result r = RunFixture.chRun(sqfs, "--", "/bin/sh", "-c",
                "cat /ch/environment; grep -c fuse.squashfuse /proc/self/mountinfo; touch /x");
        assertThat(r.out()).startsWith("IMG_VAR=from-image").contains("\n1\n");
        assertThat(r.err()).contains("Read-only file system");
        assertNoFuseLeft();
    }

    @Test
    void killedCommandTakesTheFuseServerAlong() {
        String sqfs = RunFixture.squash().toString();
        Result r = sh("\"$CH_RUN\" " + sqfs + " -- sleep 60 & pid=$!; "
                + "i=0; until [ \"$(readlink /proc/$pid/exe)\" = /bin/busybox ] || [ $i -gt 200 ]; do sleep 0.05; i=$((i+1)); done; "
                + "pgrep -u \"$(id -u)\" -c squashfuse; kill -KILL $pid; wait $pid; echo status=$?");
        assertThat(r.out()).as(r.toString()).startsWith("1\n").contains("status=137");
        assertNoFuseLeft();
    }

    @Test
    void mountPointOption() {
        String sqfs = RunFixture.squash().toString();
        var dir = RunFixture.scratch("chj-run-mnt-");
        Result r = RunFixture.chRun("-m", dir.toString(), sqfs, "--", "true");
        assertThat(r.exit()).as(r.toString()).isZero();
        Result missing = RunFixture.chRun("--mount=/nonexistent-mnt", sqfs, "--", "true");
        assertThat(missing.exit()).isEqualTo(31);
        assertThat(missing.err()).contains("can't mount: /nonexistent-mnt");
        Result dirImage = RunFixture.chRun("-m", dir.toString(), RunFixture.busybox().toString(), "--", "true");
        assertThat(dirImage.exit()).isZero();
        assertThat(dirImage.err()).contains("warning: --mount invalid with directory image, ignoring");
    }

    /** The FUSE server exits right after its container; allow it a moment. */
    static void assertNoFuseLeft() {
        String user = RunBasicIT.user();
        for (int i = 0; i < 50; i++) {
            Result p = TestEnv.run(List.of("pgrep", "-u", user, "squashfuse"));
            if (p.exit() != 0) return;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("squashfuse still running: " + TestEnv.run(List.of("pgrep", "-a", "-u", user, "squashfuse")).out());
    }
}
