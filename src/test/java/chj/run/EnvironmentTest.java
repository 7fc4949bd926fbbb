package chj.run;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvironmentTest {

    private static Environment env(String... kv) {
        return Environment.of(kv);
    }

    @Test
    void expansionFollowsCharliecloud() {
        Environment e = env("A=1", "EMPTY=", "P=/x:/y");
        assertThat(e.expand("$A")).isEqualTo("1");
        assertThat(e.expand("$P:/z")).isEqualTo("/x:/y:/z");
        assertThat(e.expand("a:$NOPE:b")).isEqualTo("a:b");
        assertThat(e.expand("$EMPTY:b")).isEqualTo("b");
        assertThat(e.expand("a::b")).isEqualTo("a::b");
        assertThat(e.expand("$")).isEqualTo("$");
        assertThat(e.expand("x$A")).isEqualTo("x$A");   // only whole items
        assertThat(e.expand("$NOPE")).isEqualTo("");
    }

    @Test
    void fixedRulesAndOrder() throws RunException {
        Environment e = env("PATH=/usr/bin", "TMPDIR=/t", "HOME=/h", "X=1", "CH_RUNNING=no");
        e.fix("/root", List.of(new Options.Unset("X"), new Options.SetVar("Y='q v'", true),
                new Options.SetVar("Z=$Y:$PATH", true), new Options.Unset("CH_*")), p -> null);
        assertThat(e.asMap()).containsExactly(
                java.util.Map.entry("PATH", "/usr/bin:/bin"), java.util.Map.entry("HOME", "/root"),
                java.util.Map.entry("Y", "q v"), java.util.Map.entry("Z", "q v:/usr/bin:/bin"),
                java.util.Map.entry("CH_RUNNING", "Weird Al Yankovic"));
        Environment keep = env("PATH=/sbin:/bin");
        keep.fix("/", List.of(), p -> null);
        assertThat(keep.get("PATH")).isEqualTo("/sbin:/bin");
    }

    @Test
    void imageFileAndErrors() throws RunException {
        Environment e = env("PATH=/bin");
        e.fix("/", List.of(new Options.SetImage('\n', true)), p -> "A=1\n\nB=$A\n".getBytes());
        assertThat(e.get("A")).isEqualTo("1");
        assertThat(e.get("B")).isEqualTo("1");
        assertThatThrownBy(() -> env().fix("/", List.of(new Options.SetImage('\n', true)), p -> "A=1\nbad\n".getBytes()))
                .hasMessage("can't parse variable: no delimiter: /ch/environment:2");
        assertThatThrownBy(() -> env().fix("/", List.of(new Options.SetImage('\n', true)), p -> "=1\n".getBytes()))
                .hasMessage("can't parse variable: empty name: /ch/environment:1");
        assertThatThrownBy(() -> env().fix("/", List.of(new Options.SetImage('\n', true)), p -> null))
                .hasMessageContaining("can't read /ch/environment");
    }
}
