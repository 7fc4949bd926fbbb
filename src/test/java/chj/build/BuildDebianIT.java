package chj.build;

import chj.testing.TestEnv.Result;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

import static chj.build.BuildFixture.chImage;
import static chj.build.BuildFixture.chRun;
import static chj.build.BuildFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proof that RUN's root emulation is real: apt-get installs a package into a Debian 12 minbase
 * (debootstrap, made by test/run) as an unprivileged user, and the program runs afterwards.
 */
class BuildDebianIT {

    private static final String DEBIAN_TARBALL = "/var/cache/chj-test/debian-bookworm-minbase.tar.gz";

    @Test
    void aptGetInstallsHelloWithoutPrivilege() {
        assertThat(Path.of(DEBIAN_TARBALL)).as("made by test/run (debootstrap)").exists();
        BuildFixture.Work w = BuildFixture.work("debian");
        ok(chImage(w, "import", DEBIAN_TARBALL, "debian:12"));
        w.write("Dockerfile", "FROM debian:12\nRUN apt-get update && apt-get install -y hello\n");
        Result r = w.build("-t", "hello", ".");
        ok(r);
        assertThat(r.err()).contains("  2. RUN.S apt-get update", "grown in 2 instructions: hello",
                "--force=seccomp: modified 1 RUN instructions");
        assertThat(w.image("hello").resolve("etc/apt/apt.conf.d/no-sandbox")).exists();
        Result hello = chRun(w, "hello", "hello");
        ok(hello);
        assertThat(hello.out()).isEqualTo("Hello, world!\n");

        Result none = w.build("-t", "hello-none", "--force=none", ".");   // no filter: dpkg's chown fails
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("Dockerfile:2", "RUN.N apt-get update", "exit status");
        assertThat(w.image("hello-none")).doesNotExist();
    }
}
