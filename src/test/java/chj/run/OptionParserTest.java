package chj.run;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OptionParserTest {

    private static Options parse(String... args) throws RunException {
        return OptionParser.parse(args);
    }

    @Test
    void clustersAttachedAndSeparateValues() throws RunException {
        Options o = parse("-wtv", "-b/a:/b", "-c", "/d", "--bind", "/x", "--uid=5", "-g7", "img", "--", "ls", "-l");
        assertThat(o.write).isTrue();
        assertThat(o.privateTmp).isTrue();
        assertThat(o.verbosity).isEqualTo(1);
        assertThat(o.binds).containsExactly(new Options.Bind("/a", "/b"), new Options.Bind("/x", "/x"));
        assertThat(o.cd).isEqualTo("/d");
        assertThat(o.uid).isEqualTo(5);
        assertThat(o.gid).isEqualTo(7);
        assertThat(o.image).isEqualTo("img");
        assertThat(o.cmd).containsExactly("ls", "-l");
    }

    @Test
    void optionsAfterImageAndOptionalValues() throws RunException {
        Options o = parse("img", "-W", "--set-env", "--set-env=A=1", "--set-env=/f", "--set-env0=/g", "--env-no-expand",
                "--set-env=B=$A", "--unset-env=X*", "-qq", "--", "true");
        assertThat(o.image).isEqualTo("img");
        assertThat(o.writeFake).isEqualTo("12%");
        assertThat(o.verbosity).isEqualTo(-2);
        assertThat(o.envOps).containsExactly(new Options.SetImage('\n', true), new Options.SetVar("A=1", true),
                new Options.SetFile("/f", '\n', true), new Options.SetFile("/g", '\0', true),
                new Options.SetVar("B=$A", false), new Options.Unset("X*"));
        assertThat(parse("-W10%", "i", "--", "x").writeFake).isEqualTo("10%");
        assertThat(parse("--write-fake=1g", "i", "--", "x").writeFake).isEqualTo("1g");
    }

    @Test
    void joinOptions() throws RunException {
        Options o = parse("--join-ct=4", "--join-tag", "t", "i", "--", "x");
        assertThat(o.join).isTrue();
        assertThat(o.joinCount).isEqualTo(4);
        assertThat(o.joinTag).isEqualTo("t");
        assertThat(parse("--join-pid=12", "i", "--", "x").joinPid).isEqualTo(12);
        assertThatThrownBy(() -> parse("--join-ct=0", "i")).isInstanceOf(RunException.class);
    }

    @Test
    void usageErrors() {
        assertThatThrownBy(() -> parse("--nope")).isInstanceOf(UsageException.class)
                .hasMessage("unrecognized option '--nope'");
        assertThatThrownBy(() -> parse("-k")).isInstanceOf(UsageException.class).hasMessage("invalid option -- 'k'");
        assertThatThrownBy(() -> parse("-b")).isInstanceOf(UsageException.class)
                .hasMessage("option requires an argument -- 'b'");
        assertThatThrownBy(() -> parse("--cd")).isInstanceOf(UsageException.class)
                .hasMessage("option '--cd' requires an argument");
        assertThatThrownBy(() -> parse("--write=x")).isInstanceOf(UsageException.class)
                .hasMessage("option '--write' doesn't allow an argument");
        assertThatThrownBy(() -> parse("-q", "-v")).isInstanceOf(UsageException.class)
                .hasMessage("--quiet incompatible with --verbose");
        assertThat(OptionParser.usageReport("x")).isEqualTo("ch-run: x\nTry `ch-run --help' or `ch-run --usage' for more information.\n");
    }

    @Test
    void bindRules() {
        assertThatThrownBy(() -> OptionParser.bind(":/x")).hasMessage("--bind: no source provided");
        assertThatThrownBy(() -> OptionParser.bind("/a:")).hasMessage("--bind: no destination provided");
        assertThatThrownBy(() -> OptionParser.bind("/a:/")).hasMessage("--bind: destination can't be /");
        assertThatThrownBy(() -> OptionParser.bind("/a:b")).hasMessage("--bind: destination must be absolute");
        assertThatThrownBy(() -> OptionParser.bind("a")).hasMessage("--bind: destination must be absolute");
    }

    @Test
    void idsMustBeNumbers() {
        assertThatThrownBy(() -> parse("--uid=bob", "i")).isInstanceOf(RunException.class).hasMessage("can't parse UID: bob");
        assertThatThrownBy(() -> parse("--unset-env=", "i")).hasMessage("--unset-env: GLOB must have non-zero length");
    }
}
