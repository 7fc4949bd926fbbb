package chj.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chj.oci.ImageConfig;
import chj.oci.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The expected files were made by Charliecloud's own logic (metadata_replace → json.dumps) in Python. */
class MetadataTest {

    private static final Platform AMD64 = Platform.linux("amd64", null);

    @TempDir
    Path tmp;

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = MetadataTest.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing " + name);
            return in.readAllBytes();
        }
    }

    private static String text(String name) throws IOException {
        return new String(resource(name), StandardCharsets.UTF_8);
    }

    @Test
    void metadataMatchesCharliecloudByteForByte() throws Exception {
        ImageConfig config = ImageConfig.parse(resource("config-rich.json"));
        assertThat(Metadata.metadataJson(config, AMD64)).isEqualTo(text("metadata-rich.expected"));
        assertThat(Metadata.environment(config)).isEqualTo(text("environment-rich.expected"));
    }

    @Test
    void noConfigGivesCharliecloudDefaults() throws Exception {
        assertThat(Metadata.metadataJson(null, Platform.fromMachine("x86_64"))).isEqualTo(text("metadata-none.expected"));
        assertThat(Metadata.environment(null)).isEqualTo("\n");
    }

    @Test
    void hostArchWithoutVariantWhenTheConfigHasNone() throws Exception {
        ImageConfig c = ImageConfig.parse("{\"architecture\":\"\",\"config\":{\"WorkingDir\":\"\"}}".getBytes(StandardCharsets.UTF_8));
        String json = Metadata.metadataJson(c, Platform.fromMachine("aarch64"));
        assertThat(json).contains("\"arch\": \"arm64\",").contains("\"cwd\": \"/\",");
    }

    @Test
    void writeAndReadBack() throws Exception {
        byte[] blob = resource("config-rich.json");
        ImageConfig config = ImageConfig.parse(blob);
        Path img = Files.createDirectory(tmp.resolve("img"));
        Metadata.write(img, config, AMD64);
        assertThat(img.resolve("ch/metadata.json")).hasContent(text("metadata-rich.expected"));
        assertThat(img.resolve("ch/environment")).hasContent(text("environment-rich.expected"));
        assertThat(Files.readAllBytes(img.resolve("ch/config.json"))).isEqualTo(blob); // the blob itself
        ImageConfig back = Metadata.readConfig(img);
        assertThat(back.entrypoint()).containsExactly("/entry.sh");
        assertThat(back.cmd()).containsExactly("serve");
        assertThat(back.user()).isEqualTo("app");
        assertThat(back.digest()).isEqualTo(config.digest());
        try (var s = Files.list(img.resolve("ch"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("metadata.json", "environment", "config.json");
        }
    }

    @Test
    void readConfigOfAnImageWithout() throws Exception {
        assertThat(Metadata.readConfig(tmp)).isNull();
        Files.createDirectories(tmp.resolve("ch"));
        Files.writeString(tmp.resolve("ch/config.json"), "{\"config\":{\"Cmd\":\"not a list\"}}");
        assertThatThrownBy(() -> Metadata.readConfig(tmp))
                .isInstanceOf(StoreException.class)
                .hasMessageEndingWith("config.json: config.config.Cmd: expected an array, got a string");
    }

    @ParameterizedTest
    @CsvSource({
        "1.0, 1.0",
        "100.0, 100.0",
        "1e15, 1000000000000000.0",
        "1e16, 1e+16",
        "1.5e16, 1.5e+16",
        "0.0001, 0.0001",
        "0.00001, 1e-05",
        "123.456, 123.456",
        "-2.5e-5, -2.5e-05",
        "1e22, 1e+22",
        "5e-324, 5e-324",
        "1.7976931348623157e308, 1.7976931348623157e+308",
        "0.1, 0.1",
        "12345678.9, 12345678.9",
        "-0.0, -0.0",
    })
    void floatsAsPythonReprs(double value, String python) {
        assertThat(PythonJson.pythonFloat(value)).isEqualTo(python);
    }
}
