package chj.run;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunCommandTest {
    @Test
    void buildsTheLaunchersCommandLine() throws RunException {
        var argv = RunCommand.of(Path.of("/opt/chj/bin/ch-run"), "debian:12").storage(Path.of("/s"))
                .rootEmulation().writable().setEnv("A=1").cd("/root").command("/bin/sh", "-c", "true");
        assertThat(argv).containsExactly("/opt/chj/bin/ch-run", "--storage=/s", "--seccomp", "--no-passwd", "--unsafe",
                "--write", "--set-env=A=1", "--cd=/root", "debian:12", "--", "/bin/sh", "-c", "true");
        // and ch-run's own parser reads it back as meant
        Options o = OptionParser.parse(argv.subList(1, argv.size()).toArray(new String[0]));
        assertThat(o.seccomp && o.noPasswd && o.unsafe && o.write).isTrue();
        assertThat(o.storage).isEqualTo("/s");
        assertThat(o.image).isEqualTo("debian:12");
        assertThat(o.cmd).containsExactly("/bin/sh", "-c", "true");
        assertThatThrownBy(() -> RunCommand.of(Path.of("x"), "i").setEnv("=1")).isInstanceOf(IllegalArgumentException.class);
    }
}
