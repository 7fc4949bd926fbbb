package chj.run;

import chj.testing.TestEnv.Result;
import org.junit.jupiter.api.Test;

import static chj.run.RunFixture.chRun;
import static chj.run.RunFixture.inContainer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * -W: a tmpfs overlay over the read-only image where the kernel allows unprivileged overlayfs,
 * and a clear refusal where it does not. --feature=overlayfs must agree with what -W does.
 */
class RunWriteFakeIT {

    @Test
    void writeFakeAgreesWithTheFeatureProbe() {
        boolean supported = chRun("--feature=overlayfs").exit() == 0;
        Result r = inContainer("echo hi > /etc/new && cat /etc/new && mkdir /opt && ls -d /opt", "-W");
        if (supported) {
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).isEqualTo("hi\n/opt\n");
            assertThat(RunFixture.busybox().resolve("etc/new")).doesNotExist();
        } else {
            assertThat(r.exit()).isEqualTo(31);
            assertThat(r.err()).contains("this kernel refuses unprivileged overlayfs");
        }
    }

    @Test
    void writeFakeSizeAndBindsIntoNewDirectories() {
        if (chRun("--feature=overlayfs").exit() != 0) {
            Result r = inContainer("true", "--write-fake=1m");
            assertThat(r.err()).contains("this kernel refuses unprivileged overlayfs");
            return;
        }
        Result r = inContainer("df -k / | tail -1; dd if=/dev/zero of=/big bs=1k count=2048 2>&1", "--write-fake=1m");
        assertThat(r.out()).contains("No space left on device");
        Result home = inContainer("ls -d /new/mount", "-W", "-b", "/etc:/new/mount");
        assertThat(home.exit()).as(home.toString()).isZero();
        Result bad = inContainer("true", "--write-fake=nonsense");
        assertThat(bad.exit()).isEqualTo(31);
        assertThat(bad.err()).contains("can't mount tmpfs for --write-fake");
    }
}
