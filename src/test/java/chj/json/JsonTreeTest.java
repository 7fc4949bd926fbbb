package chj.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonTreeTest {

    /** databind's ObjectMapper, the reference: JsonTree must read and write as it does. */
    private static final ObjectMapper REFERENCE = new ObjectMapper();

    private static final String DOCUMENT = """
            {"schemaVersion":2,"big":12345678901,"huge":123456789012345678901234567890,"ratio":0.25,"exp":1e300,
             "neg":-7,"t":true,"f":false,"n":null,"s":"tab\\t quote\\" uni\\u00e9 \\ud83d\\ude00 ctl\\u0001 slash\\/",
             "empty":{},"list":[],"nested":[{"a":[1,[2,[3]]]},"x",{"":""}],"z":"last"}""";

    @Test
    void readsAndWritesExactlyAsObjectMapperDoes() throws Exception {
        JsonNode ours = JsonTree.read(DOCUMENT.getBytes(StandardCharsets.UTF_8));
        JsonNode theirs = REFERENCE.readTree(DOCUMENT);
        assertThat(ours).isEqualTo(theirs);
        assertThat(JsonTree.bytes(ours)).isEqualTo(REFERENCE.writeValueAsBytes(theirs));
        assertThat(JsonTree.string(ours)).isEqualTo(REFERENCE.writeValueAsString(theirs));
        assertThat(JsonTree.read(JsonTree.string(ours))).isEqualTo(theirs);
        assertThat(ours.get("big").isLong()).isTrue();
        assertThat(ours.get("huge").isBigInteger()).isTrue();
        assertThat(ours.get("ratio").isDouble()).isTrue();
    }

    @Test
    void keysKeepTheirOrder() throws Exception {
        assertThat(JsonTree.string(JsonTree.read("{\"b\":1,\"a\":2,\"c\":3}"))).isEqualTo("{\"b\":1,\"a\":2,\"c\":3}");
        var o = JsonTree.object();
        o.put("z", "1").putArray("y").add(2).add("three");
        o.putObject("x");
        assertThat(JsonTree.string(o)).isEqualTo("{\"z\":\"1\",\"y\":[2,\"three\"],\"x\":{}}");
    }

    @Test
    void refusesDuplicateKeysAndTrailingContent() {
        assertThatThrownBy(() -> JsonTree.read("{\"a\":1,\"a\":2}")).isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("Duplicate field 'a'");
        assertThatThrownBy(() -> JsonTree.read("[\"a\"] [\"b\"]")).isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("trailing content");
        assertThatThrownBy(() -> JsonTree.read("{\"a\":")).isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> JsonTree.read("nope")).isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void anEmptyDocumentIsMissing() throws Exception {
        assertThat(JsonTree.read(new byte[0]).isMissingNode()).isTrue();
        assertThat(JsonTree.read("  \n").isMissingNode()).isTrue();
        assertThat(JsonTree.read("\"just a string\"").textValue()).isEqualTo("just a string");
    }
}
