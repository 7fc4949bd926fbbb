package chj.run;

import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static chj.run.RunFixture.inContainer;
import static org.assertj.core.api.Assertions.assertThat;

/** Root emulation (--seccomp): uid 0 and faked chown/mknod/set*id, as ch-image build uses it. */
class RunSeccompIT {

    private static final String PROBE = "cd /tmp && id -u && touch f && chown 1234:5678 f; echo chown=$?; "
            + "mknod null c 1 3; echo mknod=$?; test -e null; echo exists=$?; "
            + "mknod fifo p; test -p fifo; echo fifo=$?; rm -f f fifo null";

    @Test
    void chownAndDeviceNodesAreFaked() {
        Result r = inContainer(PROBE, "--seccomp", "-t");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("0\nchown=0\nmknod=0\nexists=1\nfifo=0\n");
        Result plain = inContainer(PROBE, "-t", "--uid=0", "--gid=0");
        assertThat(plain.out()).startsWith("0\n").doesNotContain("chown=0").doesNotContain("mknod=0");
    }

    @Test
    void buildStyleRunOnAnImageInTheStore() {
        // What ch-image build does for RUN: root emulation, writing into the stored image.
        Path storage = RunFixture.scratch("chj-run-build-");
        Path img = RunFixture.makeBusybox(storage.resolve("img").resolve("build+test"));
        var argv = RunCommand.of(Path.of(RunFixture.chRun()), "build:test").storage(storage).rootEmulation().writable()
                .setEnv("STEP=1").cd("/root")
                .command("/bin/sh", "-c", "id -u; pwd; echo $STEP > made; chown 1:1 made && echo chowned; cat /etc/passwd | head -1");
        Result r = TestEnv.runAsUser(argv);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("0\n/root\nchowned\nroot:x:0:0:root:/root:/bin/sh\n");
        assertThat(img.resolve("root/made")).hasContent("1");
    }

    @Test
    void dpkgAndAptInstallInDebian() {
        Path deb = RunFixture.debian();
        // A package whose files belong to root and whose maintainer script chowns: dpkg must be
        // able to "set ownership", which without the filter fails with EINVAL (unmapped IDs).
        String build = "set -e; d=/root/pkg; rm -rf $d; mkdir -p $d/DEBIAN $d/usr/share/chjtest; echo hi > $d/usr/share/chjtest/file; "
                + "printf 'Package: chjtest\\nVersion: 1.0\\nArchitecture: all\\nMaintainer: t <t@example.com>\\nDescription: test\\n' > $d/DEBIAN/control; "
                + "printf '#!/bin/sh\\nchown daemon:daemon /usr/share/chjtest/file\\n' > $d/DEBIAN/postinst; chmod 755 $d/DEBIAN/postinst; "
                + "dpkg-deb --root-owner-group --build $d /root/chjtest.deb >/dev/null";
        Result b = TestEnv.runAsUser(List.of(RunFixture.chRun(), "-w", "--seccomp", deb.toString(), "--", "/bin/sh", "-c", build));
        assertThat(b.exit()).as(b.toString()).isZero();
        Result with = TestEnv.runAsUser(List.of(RunFixture.chRun(), "-w", "--seccomp", "--no-passwd", deb.toString(), "--",
                "apt-get", "-o", "APT::Sandbox::User=root", "install", "-y", "--reinstall", "/root/chjtest.deb"));
        assertThat(with.exit()).as(with.toString()).isZero();
        Result status = TestEnv.runAsUser(List.of(RunFixture.chRun(), deb.toString(), "--", "dpkg-query", "-W", "-f",
                "${Status} ${Version}", "chjtest"));
        assertThat(status.out()).isEqualTo("install ok installed 1.0");
        // and the files still belong to the user on the host
        Result owner = TestEnv.runAsUser(List.of("stat", "-c", "%U", deb.resolve("usr/share/chjtest/file").toString()));
        assertThat(owner.out().trim()).isEqualTo(RunBasicIT.user());
        // Without the filter, uid 0 alone is not enough: the maintainer script's chown fails.
        Result without = TestEnv.runAsUser(List.of(RunFixture.chRun(), "-w", "--uid=0", "--gid=0", "--no-passwd",
                deb.toString(), "--", "dpkg", "-i", "/root/chjtest.deb"));
        assertThat(without.exit()).isNotZero();
        assertThat(without.out() + without.err()).contains("changing ownership of '/usr/share/chjtest/file': Invalid argument");
    }
}
