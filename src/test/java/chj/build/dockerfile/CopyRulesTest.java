package chj.build.dockerfile;

import static chj.build.dockerfile.DockerfileParserTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CopyRulesTest {

    static final Source AT = new Source(new SourceLocation("Dockerfile", 4, 1), "COPY a b c", "COPY a b c");

    @Test
    void severalSourcesNeedADirectory() throws Exception {
        CopyRules.checkDestination("COPY", 1, "/file", AT);
        CopyRules.checkDestination("COPY", 3, "/dir/", AT);
        assertThat(failure(() -> CopyRules.checkDestination("COPY", 2, "/file", AT)).getMessage()).isEqualTo(
                "Dockerfile:4:1: When using COPY with more than one source file, the destination must be a directory and end with a /");
    }

    @Test
    void targets() {
        assertThat(CopyRules.target("/app/", "a.txt", false, false)).isEqualTo("/app/a.txt");
        assertThat(CopyRules.target("/app", "a.txt", false, true)).isEqualTo("/app/a.txt");
        assertThat(CopyRules.target("/app", "a.txt", false, false)).isEqualTo("/app");
        assertThat(CopyRules.target("/app/", "src", true, false)).isEqualTo("/app");
        assertThat(CopyRules.target("/", "a.txt", false, true)).isEqualTo("/a.txt");
        assertThat(CopyRules.target("/", "dir", true, true)).isEqualTo("/");
    }

    @Test
    void globs() throws Exception {
        assertThat(CopyRules.isGlob("src/*.go")).isTrue();
        assertThat(CopyRules.isGlob("plain/path")).isFalse();
        Pattern p = CopyRules.glob("src/*.go");
        assertThat(p.matcher("src/main.go").matches()).isTrue();
        assertThat(p.matcher("src/sub/main.go").matches()).isFalse();
        assertThat(CopyRules.glob("file?.txt").matcher("file1.txt").matches()).isTrue();
        assertThat(CopyRules.glob("file?.txt").matcher("file/.txt").matches()).isFalse();
        assertThat(CopyRules.glob("[a-c]*").matcher("beta").matches()).isTrue();
        assertThat(CopyRules.glob("[^a-c]*").matcher("beta").matches()).isFalse();
        assertThat(CopyRules.glob("[^a-c]*").matcher("delta").matches()).isTrue();
        assertThat(CopyRules.glob("[]x]").matcher("]").matches()).isTrue();
        assertThat(CopyRules.glob("a\\*b").matcher("a*b").matches()).isTrue();
        assertThat(CopyRules.glob("a\\*b").matcher("axb").matches()).isFalse();
        assertThat(CopyRules.glob("a.b").matcher("axb").matches()).isFalse();
        assertThat(failure(() -> CopyRules.glob("[abc")).detail()).isEqualTo("syntax error in pattern \"[abc\"");
        assertThat(failure(() -> CopyRules.glob("abc\\")).detail()).startsWith("syntax error in pattern");
    }
}
