package chj.layer;

import chj.testing.TarBuilder;
import chj.testing.TestEnv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JVM names files in the encoding of the locale it starts in: under LANG=C it cannot create
 * a non-ASCII name at all. The unpacker then skips such members with a hint, rather than failing;
 * under a UTF-8 locale they unpack. (Launchers should run java with LC_ALL=C.UTF-8.)
 */
class UnpackLocaleIT {

    @TempDir
    Path tmp;

    private TestEnv.Result unpack(Path root, Path layer, String locale) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = "target/classes:target/test-classes:target/lib/*";
        return TestEnv.run(List.of("env", "-u", "LANG", "-u", "LC_CTYPE", "LC_ALL=" + locale, java, "-cp", cp,
                "chj.layer.UnpackMain", root.toString(), layer.toString()), Map.of(), null, null);
    }

    @Test
    void nonAsciiNamesNeedAUtf8Locale() throws Exception {
        Path layer = Files.write(tmp.resolve("layer.tar"), new TarBuilder().file("café.txt", "x").file("plain", "p").bytes());

        TestEnv.Result c = unpack(tmp.resolve("c"), layer, "C");
        assertThat(c.exit()).as(c.toString()).isZero();
        assertThat(c.err()).contains("layer member 'caf").contains("hint: set LC_ALL=C.UTF-8");
        assertThat(tmp.resolve("c/plain")).hasContent("p");

        TestEnv.Result utf8 = unpack(tmp.resolve("utf8"), layer, "C.UTF-8");
        assertThat(utf8.exit()).as(utf8.toString()).isZero();
        assertThat(utf8.err()).isEmpty();
        assertThat(tmp.resolve("utf8/café.txt")).hasContent("x");
    }
}
