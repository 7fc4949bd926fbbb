package chj.registry;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ChallengeTest {

    @Test
    void dockerHubBearerChallenge() {
        List<Challenge> cs = Challenge.parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/alpine:pull\"");
        assertThat(cs).containsExactly(new Challenge("bearer", Map.of("realm", "https://auth.docker.io/token",
                "service", "registry.docker.io", "scope", "repository:library/alpine:pull")));
    }

    @Test
    void quotedCommasAndEscapesStayInTheValue() {
        Challenge c = Challenge.parse("Bearer realm=\"https://a/t\", scope=\"repository:ns/img:pull,push\", "
                + "error=\"insufficient_scope\", note=\"say \\\"hi\\\"\"").getFirst();
        assertThat(c.param("scope")).isEqualTo("repository:ns/img:pull,push");
        assertThat(c.param("error")).isEqualTo("insufficient_scope");
        assertThat(c.param("note")).isEqualTo("say \"hi\"");
    }

    @Test
    void severalChallengesCaseInsensitiveSchemeAndUnquotedValues() {
        List<Challenge> cs = Challenge.parse("BASIC realm=ecr, Bearer realm=\"https://x/token\",service=x");
        assertThat(cs).extracting(Challenge::scheme).containsExactly("basic", "bearer");
        assertThat(cs.get(0).param("realm")).isEqualTo("ecr");
        assertThat(cs.get(1).param("service")).isEqualTo("x");
    }

    @Test
    void separateHeaderValuesAndOddInputDoNotBreakParsing() {
        assertThat(Challenge.parseAll(List.of("Basic realm=\"r\"", "Negotiate abc==", "Bearer realm=\"unterminated")))
                .extracting(Challenge::scheme).containsExactly("basic", "negotiate", "bearer");
        assertThat(Challenge.parse("")).isEmpty();
        assertThat(Challenge.parse(" , ,")).isEmpty();
        assertThat(Challenge.parse("Bearer").getFirst().params()).isEmpty();
    }

    @Test
    void scopeWithHostAndPortInTheName() {
        Challenge c = Challenge.parse("Bearer realm=\"https://r/t\",scope=\"repository:reg.example:5000/x:pull\"").getFirst();
        assertThat(c.param("scope")).isEqualTo("repository:reg.example:5000/x:pull");
    }
}
