package chj.run;

import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static chj.run.RunFixture.sh;
import static org.assertj.core.api.Assertions.assertThat;

/** --join: ranks of one job on one node share one container; no state is left behind. */
class RunJoinIT {

    private static final String PROBE = "echo $$ $(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/user) $HOME $CH_RUNNING";

    @Test
    void fourConcurrentRanksShareOneContainer() {
        String tag = "it4-" + ProcessHandle.current().pid();
        Result r = sh("for i in 1 2 3 4; do \"$CH_RUN\" --join-ct=4 --join-tag=" + tag
                + " \"$IMG\" -- sh -c '" + PROBE + "; sleep 0.2' & done; wait");
        assertThat(r.exit()).as(r.toString()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines).hasSize(4);
        String ns = lines[0].substring(lines[0].indexOf(' '));
        for (String l : lines) assertThat(l.substring(l.indexOf(' '))).isEqualTo(ns);
        assertThat(ns).endsWith(" /root Weird Al Yankovic");
        assertThat(Arrays.stream(lines).map(l -> l.split(" ")[0]).distinct()).hasSize(4);
        assertNoStateLeft(tag);
        // a fresh group with the same tag gets a fresh container
        Result again = sh("for i in 1 2; do \"$CH_RUN\" --join-ct=2 --join-tag=" + tag
                + " \"$IMG\" -- sh -c '" + PROBE + "' & done; wait");
        assertThat(again.out().split("\n")).as(again.toString()).hasSize(2);
        assertNoStateLeft(tag);
    }

    @Test
    void latePeerJoinsAFirstRankThatIsAlreadyDone() {
        // The first rank's command is over at once; a peer that comes a second later still gets
        // the same container (the holder keeps it), not a new one.
        String tag = "late-" + ProcessHandle.current().pid();
        Result r = sh("\"$CH_RUN\" --join-ct=2 --join-tag=" + tag + " \"$IMG\" -- readlink /proc/self/ns/mnt; sleep 1; "
                + "\"$CH_RUN\" --join-ct=2 --join-tag=" + tag + " \"$IMG\" -- readlink /proc/self/ns/mnt");
        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).isEqualTo(lines.get(0));
        assertNoStateLeft(tag);
    }

    @Test
    void peerCountAndTagFromMpiAndSlurmEnvironment() {
        // Open MPI: count from OMPI_COMM_WORLD_LOCAL_SIZE, tag from the parent PID (the same shell)
        Result ompi = sh("for i in 1 2 3; do OMPI_COMM_WORLD_LOCAL_SIZE=3 \"$CH_RUN\" --join \"$IMG\" -- sh -c '"
                + PROBE + "' & done; wait");
        assertThat(ompi.exit()).as(ompi.toString()).isZero();
        assertThat(ompi.out().lines().map(l -> l.split(" ")[1]).distinct()).hasSize(1);
        // Slurm: count from SLURM_STEP_TASKS_PER_NODE ("2(x3)": 2 on this node), tag from SLURM_STEP_ID
        String step = "77" + ProcessHandle.current().pid();
        Result slurm = sh("for i in 1 2; do SLURM_STEP_ID=" + step + " SLURM_STEP_TASKS_PER_NODE='2(x3)' \"$CH_RUN\" -j \"$IMG\" -- sh -c '"
                + PROBE + "' & done; wait");
        assertThat(slurm.exit()).as(slurm.toString()).isZero();
        assertThat(slurm.out().lines().map(l -> l.split(" ")[1]).distinct()).hasSize(1);
        assertNoStateLeft(step);
        Result none = RunFixture.chRun("--join", RunFixture.busybox().toString(), "--", "true");
        assertThat(none.exit()).isEqualTo(31);
        assertThat(none.err()).contains("--join: no valid peer group size found");
    }

    @Test
    void peerWithEnvironmentOptionsAndWorkingDirectory() {
        // --set-env makes the peer go through the JVM; -c through the shell; both land in the container.
        String tag = "env-" + ProcessHandle.current().pid();
        Result r = sh("\"$CH_RUN\" --join-ct=3 --join-tag=" + tag + " \"$IMG\" -- sh -c 'echo A $(readlink /proc/self/ns/mnt); sleep 1' & "
                + "sleep 0.3; \"$CH_RUN\" --join-ct=3 --join-tag=" + tag + " --set-env=FOO=bar --unset-env=CH_* \"$IMG\" -- sh -c 'echo B $(readlink /proc/self/ns/mnt) $FOO $CH_RUNNING' & "
                + "\"$CH_RUN\" --join-ct=3 --join-tag=" + tag + " -c /etc \"$IMG\" -- sh -c 'echo C $(readlink /proc/self/ns/mnt) $(pwd)' & wait");
        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().sorted().toList();
        assertThat(lines).hasSize(3);
        String ns = lines.get(0).split(" ")[1];
        assertThat(lines.get(1)).isEqualTo("B " + ns + " bar Weird Al Yankovic");
        assertThat(lines.get(2)).isEqualTo("C " + ns + " /etc");
        assertNoStateLeft(tag);
    }

    @Test
    void joinPidEntersARunningContainer() {
        Result r = sh("\"$CH_RUN\" \"$IMG\" -- sh -c 'readlink /proc/self/ns/mnt; sleep 60' & pid=$!; "
                + "i=0; until [ \"$(readlink /proc/$pid/exe)\" = /bin/busybox ] || [ $i -gt 300 ]; do sleep 0.05; i=$((i+1)); done; "
                + "\"$CH_RUN\" --join-pid=$pid \"$IMG\" -- sh -c 'readlink /proc/self/ns/mnt; id -u; touch /x'; kill $pid; wait");
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).isEqualTo(lines.get(0));
        assertThat(lines.get(2)).isEqualTo(TestEnv.runAsUser(List.of("id", "-u")).out().trim());
        assertThat(r.err()).contains("Read-only file system");
        Result gone = RunFixture.chRun("--join-pid=999999999", RunFixture.busybox().toString(), "--", "true");
        assertThat(gone.exit()).isEqualTo(31);
    }

    @Test
    void nothingIsLeftWhenRanksDie() {
        // The winner is killed while one of three ranks never comes: the holder cleans up.
        String tag = "die-" + ProcessHandle.current().pid();
        Result r = sh("\"$CH_RUN\" --join-ct=3 --join-tag=" + tag + " \"$IMG\" -- sleep 30 & w=$!; "
                + "\"$CH_RUN\" --join-ct=3 --join-tag=" + tag + " \"$IMG\" -- sh -c 'readlink /proc/self/ns/mnt'; "
                + "kill -KILL $w; wait");
        assertThat(r.out()).startsWith("mnt:[");
        assertNoStateLeft(tag, 100);
        // Stale state of a dead winner (e.g. a crashed node's /dev/shm copy) is taken over.
        String stale = "stale-" + ProcessHandle.current().pid();
        Result s = sh("echo 999999999 > /dev/shm/chj-join.$USER." + stale + ".pid; "
                + "\"$CH_RUN\" --join-ct=1 --join-tag=" + stale + " \"$IMG\" -- echo ran");
        assertThat(s.out()).as(s.toString()).isEqualTo("ran\n");
        assertNoStateLeft(stale);
    }

    /** The holder removes the state a little after the last peer is in; wait for it (tenths of a second). */
    static void assertNoStateLeft(String tag) {
        assertNoStateLeft(tag, 50);
    }

    static void assertNoStateLeft(String tag, int tenths) {
        String prefix = "chj-join." + RunBasicIT.user() + "." + tag + ".";
        List<String> left = List.of();
        for (int i = 0; i < tenths; i++) {
            try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
                left = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).toList();
                if (left.isEmpty()) break;
                Thread.sleep(100);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertThat(left).as("join state in /dev/shm").isEmpty();
        try (Stream<Path> s = Files.list(Path.of("/tmp"))) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("ch-run_"))).isEmpty();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Map<String, String> none() {
        return Map.of();
    }
}
