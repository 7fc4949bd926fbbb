package chj.run;

import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static chj.run.RunFixture.inContainer;
import static chj.run.RunFixture.sh;
import static org.assertj.core.api.Assertions.assertThat;

/** The command's environment: Charliecloud's rules, --set-env in its forms, --unset-env, bytes. */
class RunEnvironmentIT {

    @Test
    void fixedVariables() {
        Result r = sh("PATH=/usr/bin TMPDIR=/tmp CH_RUNNING=no \"$CH_RUN\" \"$IMG\" -- /bin/env");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("\nHOME=/root\n", "PATH=/usr/bin:/bin\n", "CH_RUNNING=Weird Al Yankovic\n")
                .doesNotContain("TMPDIR=");
        Result keep = sh("PATH=/bin:/usr/bin \"$CH_RUN\" \"$IMG\" -- /bin/env");
        assertThat(keep.out()).contains("PATH=/bin:/usr/bin\n");
        Result noUser = TestEnv.runAsUser(java.util.List.of("env", "-u", "USER", RunFixture.chRun(),
                RunFixture.busybox().toString(), "--", "true"));
        assertThat(noUser.exit()).isEqualTo(31);
        assertThat(noUser.err()).contains("error: $USER not set");
    }

    @Test
    void homeIsSlashWithoutRootInTheImage() {
        Path img = RunFixture.makeBusybox(RunFixture.scratch("chj-run-noroot-").resolve("img"));
        TestEnv.runAsUser(java.util.List.of("rmdir", img.resolve("root").toString()));
        Result r = RunFixture.chRun(img.toString(), "--", "/bin/sh", "-c", "echo $HOME");
        assertThat(r.out()).isEqualTo("/\n");
    }

    @Test
    void setEnvForms() {
        Path d = RunFixture.scratch("chj-run-env-");
        String file = RunFixture.write(d.resolve("env"), "A=1\n\nB='quoted value'\nC=$A:x:$NOPE:$EMPTY:y\nD==eq\n");
        String file0 = RunFixture.write(d.resolve("env0"), "E=line1\nline2\0F=2\0");
        Result r = sh("EMPTY= \"$CH_RUN\" --set-env=" + file + " --set-env0=" + file0
                + " '--set-env=G=$A:after' --set-env \"$IMG\" -- /bin/env", Map.of());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("\nA=1\n", "\nB=quoted value\n", "\nC=1:x:y\n", "\nD==eq\n",
                "\nE=line1\nline2\n", "\nF=2\n", "\nIMG_VAR=from-image\n");
        // --set-env=G=... on the command line expands too; the image's file sees the current PATH.
        assertThat(r.out()).contains("\nG=1:after\n");
        assertThat(r.out()).containsPattern("\nIMG_PATH=/opt/x:[^\n]*:/bin\n");
        Result noExpand = inContainer("echo \"$V\"", "--env-no-expand", "--set-env=V=$HOME:x");
        assertThat(noExpand.out()).isEqualTo("$HOME:x\n");
    }

    @Test
    void setEnvErrors() {
        Path d = RunFixture.scratch("chj-run-enverr-");
        String nodelim = RunFixture.write(d.resolve("a"), "OK=1\nnot a variable\n");
        String empty = RunFixture.write(d.resolve("b"), "=value\n");
        Result r = inContainer("true", "--set-env=" + nodelim);
        assertThat(r.exit()).isEqualTo(31);
        assertThat(r.err()).contains("can't parse variable: no delimiter: " + nodelim + ":2");
        r = inContainer("true", "--set-env=" + empty);
        assertThat(r.exit()).isEqualTo(31);
        assertThat(r.err()).contains("can't parse variable: empty name: " + empty + ":1");
        r = inContainer("true", "--set-env=" + d.resolve("missing"));
        assertThat(r.exit()).isEqualTo(31);
        assertThat(r.err()).contains("--set-env: can't read " + d.resolve("missing"));
        r = inContainer("true", "--unset-env=");
        assertThat(r.exit()).isEqualTo(31);
        assertThat(r.err()).contains("--unset-env: GLOB must have non-zero length");
    }

    @Test
    void unsetEnvGlobsInOrder() {
        Result r = sh("FOO1=a FOO2=b FOOBAR=c KEEP=d XY=e \"$CH_RUN\" --unset-env='FOO?' --set-env=FOO3=new "
                + "--unset-env='+(X|Y)' --unset-env='CH_*' \"$IMG\" -- /bin/env");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("FOOBAR=c\n", "KEEP=d\n", "FOO3=new\n", "CH_RUNNING=Weird Al Yankovic\n")
                .doesNotContain("FOO1=", "FOO2=", "XY=");
        Result all = sh("\"$CH_RUN\" --unset-env='*' \"$IMG\" -- /bin/env");
        assertThat(all.out()).isEqualTo("CH_RUNNING=Weird Al Yankovic\n");
    }

    @Test
    void nonAsciiArgumentsAndValuesPassByteExact() {
        // Latin-1 é (not valid UTF-8) and UTF-8 é, under LANG=C where the JVM would make them '?'.
        Result r = sh("export LANG=C LC_ALL=C; x=$(printf 'h\\351llo') y=$(printf 'h\\303\\251llo'); "
                + "V=\"$x\" \"$CH_RUN\" --set-env=\"W=$y\" \"$IMG\" -- /bin/sh -c 'printf \"%s|%s|%s|%s\" \"$1\" \"$2\" \"$V\" \"$W\"' sh \"$x\" \"$y\""
                + " | od -An -tx1 | tr -d ' \\n'");
        assertThat(r.exit()).as(r.toString()).isZero();
        String x = "68e96c6c6f", y = "68c3a96c6c6f";
        assertThat(r.out()).isEqualTo(x + "7c" + y + "7c" + x + "7c" + y);
    }
}
