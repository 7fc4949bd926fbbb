package chj.build.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShellLexerTest {

    private static final Map<String, String> ENV = Map.of("HOME", "/root", "EMPTY", "", "SPACED", " a  b ", "FILE",
            "archive.tar.gz", "PATHS", "/usr/local/bin:/usr/bin:/bin", "É", "accent", "X1", "one");

    private static final ShellLexer LEX = new ShellLexer('\\');

    private static String word(String w) throws ParseException {
        return LEX.processWord(w, ENV::get);
    }

    private static List<String> words(String w) throws ParseException {
        return LEX.processWords(w, ENV::get);
    }

    @ParameterizedTest(name = "{0} -> [{1}]")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "$HOME|/root", "${HOME}/x|/root/x", "pre$HOME.post|pre/root.post", "$NOPE|~~", "${NOPE}|~~",
        "$|$", "a$|a$", "$/|$/", "$X1a|~~", "${X1}a|onea", "$É|accent",
        // digits: a name starting with a digit is only the digits
        "$1abc|abc", "$12|~~",
        // special parameters are one character and unset
        "$$|~~", "$@x|x", "$#|~~",
        // default and alternative values
        "${NOPE:-dflt}|dflt", "${EMPTY:-dflt}|dflt", "${HOME:-dflt}|/root",
        "${NOPE-dflt}|dflt", "${EMPTY-dflt}|~~", "${HOME-dflt}|/root",
        "${NOPE:+alt}|~~", "${EMPTY:+alt}|~~", "${HOME:+alt}|alt",
        "${NOPE+alt}|~~", "${EMPTY+alt}|alt", "${HOME+alt}|alt",
        "${HOME:?oops}|/root", "${EMPTY?oops}|~~",
        // the word after :- is itself expanded, quotes and all
        "${NOPE:-$HOME/x}|/root/x", "${NOPE:-'a b'}|a b", "${NOPE:-\"$HOME\"}|/root", "${NOPE:-a\\}b}|a}b",
        // prefix and suffix removal, shortest and longest
        "${FILE#*.}|tar.gz", "${FILE##*.}|gz", "${FILE%.*}|archive.tar", "${FILE%%.*}|archive",
        "${FILE#nomatch}|archive.tar.gz", "${PATHS%%:*}|/usr/local/bin", "${PATHS#*:}|/usr/bin:/bin",
        "${FILE%.t?r.gz}|archive", "${FILE#\\*}|archive.tar.gz",
        // replacement
        "${PATHS/bin/BIN}|/usr/local/BIN:/usr/bin:/bin", "${PATHS//bin/BIN}|/usr/local/BIN:/usr/BIN:/BIN",
        "${FILE/.*/}|archive", "${NOPE/a/b}|~~",
        // escapes outside quotes: the escape goes, the next character stays
        "\\$HOME|$HOME", "a\\ b|a b", "\\\\|\\", "\\a|a", "end\\|end", "\\\"|\"",
        // single quotes: literal
        "'$HOME \\n'|$HOME \\n", "'a'\"b\"c|abc",
        // double quotes: only \\\" \\$ \\\\ escape; variables expand
        "\"$HOME\"|/root", "\"\\$HOME\"|$HOME", "\"a\\\"b\"|a\"b", "\"\\\\\"|\\", "\"\\n\"|\\n", "\"'$HOME'\"|'/root'",
        "\"${NOPE:-a b}\"|a b",
    })
    void substitutes(String in, String out) throws Exception {
        assertThat(word(in)).isEqualTo(out);
    }

    @Test
    void backtickEscape() throws Exception {
        ShellLexer lex = new ShellLexer('`');
        assertThat(lex.processWord("`$HOME and c:\\dir", ENV::get)).isEqualTo("$HOME and c:\\dir");
        assertThat(lex.processWord("\"a`\"b\"", ENV::get)).isEqualTo("a\"b");
    }

    @Test
    void wordSplitting() throws Exception {
        assertThat(words("a b   c")).containsExactly("a", "b", "c");
        assertThat(words("$SPACED")).containsExactly("a", "b");
        assertThat(words("\"$SPACED\"")).containsExactly(" a  b ");
        assertThat(words("x$SPACED y")).containsExactly("x", "a", "b", "y");
        assertThat(words("a\\ b c")).containsExactly("a b", "c");
        assertThat(words("'a b' \"\" c")).containsExactly("a b", "c");
        assertThat(words("   ")).isEmpty();
        assertThat(word("  a   b ")).isEqualTo("  a   b ");
    }

    @Test
    void errors() {
        assertError("${", "syntax error: missing '}'");
        assertError("${HOME", "syntax error: missing '}'");
        assertError("${NOPE:-x", "syntax error: missing '}'");
        assertError("${}", "syntax error: bad substitution");
        assertError("${:x}", "syntax error: bad substitution");
        assertError("${{x}", "syntax error: bad substitution");
        assertError("${HOME:x}", "unsupported modifier (:x) in substitution");
        assertError("${HOME^}", "unsupported modifier (^) in substitution");
        assertError("'abc", "unexpected end of statement while looking for matching single-quote");
        assertError("\"abc", "unexpected end of statement while looking for matching double-quote");
        assertError("${NOPE:?must be set}", "NOPE: must be set");
        assertError("${NOPE?}", "NOPE: is not allowed to be unset");
        assertError("${EMPTY:?}", "EMPTY: is not allowed to be empty");
        assertError("${FILE#\\q}", "invalid pattern (\\q) in substitution: invalid escape '\\q'");
        assertError("${FILE/a", "syntax error: missing '/' in ${}");
        assertError("${FILE/a/b", "syntax error: missing '}'");
    }

    private static void assertError(String in, String message) {
        assertThatThrownBy(() -> word(in)).isInstanceOf(ParseException.class).hasMessage(message);
    }

    @Test
    void rawOptionsKeepQuotesEscapesAndUnsetReferences() throws Exception {
        ShellLexer raw = LEX.rawQuotes(true).rawEscapes(true).skipUnset(true);
        assertThat(raw.processWords("cat <<'EOF' \\<<x $NOPE ${NOPE:-y}", ENV::get))
                .containsExactly("cat", "<<'EOF'", "\\<<x", "$NOPE", "${NOPE:-y}");
        assertThat(LEX.skipQuotes(true).processWord("'$HOME' \"q\"", ENV::get)).isEqualTo("'/root' \"q\"");
    }

    @Test
    void isSpaceFollowsGo() {
        assertThat(ShellLexer.isSpace(' ')).isTrue();
        assertThat(ShellLexer.isSpace(0xA0)).isTrue();
        assertThat(ShellLexer.isSpace(0x0B)).isTrue();
        assertThat(ShellLexer.isSpace(0x2003)).isTrue();
        assertThat(ShellLexer.isSpace(0x1C)).isFalse();
        assertThat(ShellLexer.isSpace('x')).isFalse();
    }
}
