package chj.run;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GlobTest {

    private static boolean m(String glob, String s) {
        return Glob.compile(glob).matches(s);
    }

    @Test
    void basics() {
        assertThat(m("FOO", "FOO")).isTrue();
        assertThat(m("FOO", "FOOX")).isFalse();
        assertThat(m("F*", "FOO")).isTrue();
        assertThat(m("*", "")).isTrue();
        assertThat(m("F?O", "FOO")).isTrue();
        assertThat(m("F?O", "FO")).isFalse();
        assertThat(m("*_PATH", "LD_LIBRARY_PATH")).isTrue();
        assertThat(m("a/*", "a/b/c")).isTrue();           // no FNM_PATHNAME
        assertThat(m("\\*", "*")).isTrue();
        assertThat(m("\\*", "x")).isFalse();
    }

    @Test
    void brackets() {
        assertThat(m("[A-C]X", "BX")).isTrue();
        assertThat(m("[A-C]X", "DX")).isFalse();
        assertThat(m("[!A-C]X", "DX")).isTrue();
        assertThat(m("[^A]X", "AX")).isFalse();
        assertThat(m("[]]", "]")).isTrue();
        assertThat(m("V[[:digit:]]", "V7")).isTrue();
        assertThat(m("V[[:digit:]]", "Vx")).isFalse();
        assertThat(m("[abc", "[abc")).isTrue();           // unterminated: literal
    }

    @Test
    void extglob() {
        assertThat(m("@(FOO|BAR)", "BAR")).isTrue();
        assertThat(m("@(FOO|BAR)", "BAZ")).isFalse();
        assertThat(m("?(X)Y", "Y")).isTrue();
        assertThat(m("?(X)Y", "XY")).isTrue();
        assertThat(m("?(X)Y", "XXY")).isFalse();
        assertThat(m("*(AB)", "")).isTrue();
        assertThat(m("*(AB)", "ABAB")).isTrue();
        assertThat(m("*(AB)", "ABA")).isFalse();
        assertThat(m("+(AB)C", "C")).isFalse();
        assertThat(m("+(AB)C", "ABABC")).isTrue();
        assertThat(m("!(FOO)", "BAR")).isTrue();
        assertThat(m("!(FOO)", "FOO")).isFalse();
        assertThat(m("!(SLURM_*)", "SLURM_JOB_ID")).isFalse();
        assertThat(m("!(SLURM_*)", "PATH")).isTrue();
        assertThat(m("X!(A)", "XB")).isTrue();
        assertThat(m("@(A|B*)", "BOO")).isTrue();
        assertThat(m("@(A", "@(A")).isTrue();             // no ')': literal
    }
}
