package chj.run;

import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Smoke test with Open MPI (Debian openmpi-bin): two ranks, one container. */
class RunMpiIT {

    @Test
    void mpirunTwoRanksJoin() {
        String img = RunFixture.busybox().toString();
        Result r = TestEnv.runAsUser(List.of("mpirun", "-np", "2", "--oversubscribe", RunFixture.chRun(), "--join", img,
                "--", "hostname"));
        assertThat(r.exit()).as(r.toString()).isZero();
        String host = RunBasicIT.hostname();
        assertThat(r.out()).isEqualTo(host + "\n" + host + "\n");
        Result ns = TestEnv.runAsUser(List.of("mpirun", "-np", "2", "--oversubscribe", RunFixture.chRun(), "--join", img,
                "--", "readlink", "/proc/self/ns/mnt"));
        assertThat(ns.exit()).as(ns.toString()).isZero();
        assertThat(ns.out().lines().distinct()).hasSize(1);
        assertThat(ns.out().lines()).hasSize(2);
    }
}
