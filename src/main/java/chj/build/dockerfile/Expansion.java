package chj.build.dockerfile;

import java.util.List;
import java.util.Map;

/**
 * Variable substitution for one instruction: Docker's lexer, the variables in scope, and the
 * instruction to blame when a word does not expand.
 */
public final class Expansion {

    private final ShellLexer lexer;
    private final Map<String, String> variables;
    private final Source at;

    /** @param variables the values in scope; a name that is absent is unset */
    public Expansion(char escape, Map<String, String> variables, Source at) {
        this(new ShellLexer(escape), variables, at);
    }

    Expansion(ShellLexer lexer, Map<String, String> variables, Source at) {
        this.lexer = lexer;
        this.variables = Map.copyOf(variables);
        this.at = at;
    }

    /** One word: quotes and escapes removed, variables substituted, spaces kept. */
    public String word(String word) throws ParseException {
        try {
            return lexer.processWord(word, variables::get);
        } catch (ParseException e) {
            throw failed(word, e);
        }
    }

    /** Like {@link #word}, then split into words at unquoted white space (EXPOSE). */
    public List<String> words(String word) throws ParseException {
        try {
            return lexer.processWords(word, variables::get);
        } catch (ParseException e) {
            throw failed(word, e);
        }
    }

    /** A here-document's body: variables substituted, quotes left alone, {@code \} escapes. */
    public String heredoc(String body) throws ParseException {
        try {
            return new ShellLexer('\\').skipQuotes(true).processWord(body, variables::get);
        } catch (ParseException e) {
            throw failed(body, e);
        }
    }

    /** An error about this instruction. */
    public ParseException error(String detail) {
        return at.error(detail);
    }

    private ParseException failed(String word, ParseException e) {
        return at.error("failed to process " + Words.quote(word) + ": " + e.detail());
    }
}
