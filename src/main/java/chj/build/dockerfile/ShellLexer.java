package chj.build.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Docker's shell-word lexer: quotes, escapes and variable substitution in the arguments of the
 * instructions Docker expands (ADD, ARG, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME,
 * WORKDIR). It is not a shell: no command substitution, no globbing, and the supported parameter
 * forms are {@code $V ${V} ${V:-w} ${V-w} ${V:+w} ${V+w} ${V:?m} ${V?m} ${V#p} ${V##p} ${V%p}
 * ${V%%p} ${V/p/r} ${V//p/r}}.
 *
 * <p>Outside quotes the escape character makes the next character literal and is dropped; inside
 * double quotes it escapes only {@code " $} and itself; single quotes take everything literally. An
 * unset variable expands to nothing. Errors are {@link ParseException}s without a location: the
 * caller knows which instruction it was.
 */
public final class ShellLexer {

    private static final int EOF = -1;

    private final char escape;
    private final boolean rawQuotes;
    private final boolean rawEscapes;
    private final boolean skipUnset;
    private final boolean skipQuotes;

    public ShellLexer(char escape) {
        this(escape, false, false, false, false);
    }

    private ShellLexer(char escape, boolean rawQuotes, boolean rawEscapes, boolean skipUnset, boolean skipQuotes) {
        this.escape = escape;
        this.rawQuotes = rawQuotes;
        this.rawEscapes = rawEscapes;
        this.skipUnset = skipUnset;
        this.skipQuotes = skipQuotes;
    }

    /** Keeps quote characters in the result (they still group words). */
    ShellLexer rawQuotes(boolean on) {
        return new ShellLexer(escape, on, rawEscapes, skipUnset, skipQuotes);
    }

    /** Keeps escape characters in the result (they still protect the next character). */
    ShellLexer rawEscapes(boolean on) {
        return new ShellLexer(escape, rawQuotes, on, skipUnset, skipQuotes);
    }

    /** Leaves references to unset variables as written instead of making them empty. */
    ShellLexer skipUnset(boolean on) {
        return new ShellLexer(escape, rawQuotes, rawEscapes, on, skipQuotes);
    }

    /** Treats quotes as ordinary characters (for here-document bodies). */
    ShellLexer skipQuotes(boolean on) {
        return new ShellLexer(escape, rawQuotes, rawEscapes, skipUnset, on);
    }

    public char escape() {
        return escape;
    }

    /** Substitutes variables in {@code word} and removes quotes and escapes; spaces are kept. */
    public String processWord(String word, Function<String, String> env) throws ParseException {
        return new Scan(word, env).processStopOn(EOF, rawEscapes).result;
    }

    /**
     * Like {@link #processWord}, then splits the result into words at unquoted, unescaped white
     * space; white space that a variable's value brings also splits, as in a shell.
     */
    public List<String> processWords(String word, Function<String, String> env) throws ParseException {
        return new Scan(word, env).processStopOn(EOF, rawEscapes).words;
    }

    /** Go's {@code unicode.IsSpace}, which Docker's lexer uses. */
    static boolean isSpace(int cp) {
        if (cp <= 0xFF) {
            return cp == ' ' || cp == '\t' || cp == '\n' || cp == 0x0B || cp == '\f' || cp == '\r' || cp == 0x85
                    || cp == 0xA0;
        }
        return Character.isSpaceChar(cp);
    }

    /** Words as the lexer builds them: unquoted white space ends a word, quoted text never does. */
    private static final class Words {
        private final List<String> words = new ArrayList<>();
        private final StringBuilder word = new StringBuilder();
        private boolean inWord;

        void addChar(int cp) {
            if (isSpace(cp)) {
                if (inWord && !word.isEmpty()) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                addRawChar(cp);
            }
        }

        void addRawChar(int cp) {
            word.appendCodePoint(cp);
            inWord = true;
        }

        void addString(String s) {
            s.codePoints().forEach(this::addChar);
        }

        void addRawString(String s) {
            word.append(s);
            inWord = true;
        }

        List<String> finish() {
            if (!word.isEmpty()) {
                words.add(word.toString());
                word.setLength(0);
                inWord = false;
            }
            return List.copyOf(words);
        }
    }

    private record Processed(String result, List<String> words) {}

    /** One pass over one word. */
    private final class Scan {
        private final int[] cps;
        private final Function<String, String> env;
        private int pos;
        private boolean escapesRaw = rawEscapes;

        Scan(String word, Function<String, String> env) {
            this.cps = word.codePoints().toArray();
            this.env = env;
        }

        private int peek() {
            return pos < cps.length ? cps[pos] : EOF;
        }

        private int next() {
            return pos < cps.length ? cps[pos++] : EOF;
        }

        Processed processStopOn(int stop, boolean raw) throws ParseException {
            boolean saved = escapesRaw;
            escapesRaw = raw;
            try {
                StringBuilder result = new StringBuilder();
                Words words = new Words();
                while (peek() != EOF) {
                    int ch = peek();
                    if (stop != EOF && ch == stop) {
                        pos++;
                        return new Processed(result.toString(), words.finish());
                    }
                    if (ch == '$') {
                        String value = processDollar();
                        result.append(value);
                        words.addString(value);
                    } else if (!skipQuotes && ch == '\'') {
                        String quoted = processSingleQuote();
                        result.append(quoted);
                        words.addRawString(quoted);
                    } else if (!skipQuotes && ch == '"') {
                        String quoted = processDoubleQuote();
                        result.append(quoted);
                        words.addRawString(quoted);
                    } else {
                        ch = next();
                        if (ch == escape) {
                            if (escapesRaw) {
                                words.addRawChar(ch);
                                result.appendCodePoint(ch);
                            }
                            ch = next();
                            if (ch == EOF) break;
                            words.addRawChar(ch);
                        } else {
                            words.addChar(ch);
                        }
                        result.appendCodePoint(ch);
                    }
                }
                if (stop != EOF)
                    throw new ParseException("unexpected end of statement while looking for matching " + Character.toString(stop));
                return new Processed(result.toString(), words.finish());
            } finally {
                escapesRaw = saved;
            }
        }

        private String processSingleQuote() throws ParseException {
            StringBuilder result = new StringBuilder();
            int ch = next();
            if (rawQuotes) result.appendCodePoint(ch);
            while (true) {
                ch = next();
                if (ch == EOF) throw new ParseException("unexpected end of statement while looking for matching single-quote");
                if (ch == '\'') {
                    if (rawQuotes) result.appendCodePoint(ch);
                    return result.toString();
                }
                result.appendCodePoint(ch);
            }
        }

        private String processDoubleQuote() throws ParseException {
            StringBuilder result = new StringBuilder();
            int ch = next();
            if (rawQuotes) result.appendCodePoint(ch);
            while (true) {
                int p = peek();
                if (p == EOF) throw new ParseException("unexpected end of statement while looking for matching double-quote");
                if (p == '"') {
                    ch = next();
                    if (rawQuotes) result.appendCodePoint(ch);
                    return result.toString();
                }
                if (p == '$') {
                    result.append(processDollar());
                    continue;
                }
                ch = next();
                if (ch == escape) {
                    if (escapesRaw) result.appendCodePoint(ch);
                    int after = peek();
                    if (after == EOF) continue;
                    if (after == '"' || after == '$' || after == escape) ch = next();
                }
                result.appendCodePoint(ch);
            }
        }

        private String processDollar() throws ParseException {
            next();
            if (peek() != '{') {
                String name = processName();
                if (name.isEmpty()) return "$";
                String value = env.apply(name);
                if (value == null) return skipUnset ? "$" + name : "";
                return value;
            }
            next();
            int first = peek();
            if (first == EOF) throw new ParseException("syntax error: missing '}'");
            if (first == '{' || first == '}' || first == ':') throw new ParseException("syntax error: bad substitution");
            String name = processName();
            int ch = next();
            if (ch == EOF) throw new ParseException("syntax error: missing '}'");
            String modifier = Character.toString(ch);
            switch (ch) {
                case '}' -> {
                    String value = env.apply(name);
                    if (value == null) return skipUnset ? "${" + name + "}" : "";
                    return value;
                }
                case '/' -> {
                    return processReplacement(name);
                }
                case ':', '+', '-', '?', '#', '%' -> {
                    boolean nullIsUnset = false;
                    if (ch == ':') {
                        nullIsUnset = true;
                        ch = next();
                        if (ch == EOF) throw new ParseException("syntax error: missing '}'");
                        modifier += Character.toString(ch);
                    }
                    String word;
                    try {
                        word = processStopOn('}', ch == '#' || ch == '%').result;
                    } catch (ParseException e) {
                        if (peek() == EOF) throw new ParseException("syntax error: missing '}'");
                        throw e;
                    }
                    String value = env.apply(name);
                    boolean set = value != null;
                    if (!set && skipUnset) return "${" + name + modifier + word + "}";
                    if (value == null) value = "";
                    boolean missing = !set || (nullIsUnset && value.isEmpty());
                    return switch (ch) {
                        case '-' -> missing ? word : value;
                        case '+' -> missing ? "" : word;
                        case '?' -> {
                            if (!set) throw new ParseException(name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
                            if (nullIsUnset && value.isEmpty())
                                throw new ParseException(name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word));
                            yield value;
                        }
                        case '#', '%' -> {
                            boolean longest = !word.isEmpty() && word.codePointAt(0) == ch;
                            String pattern = longest ? word.substring(Character.charCount(ch)) : word;
                            ShellPattern p = ShellPattern.compile(pattern);
                            yield ch == '#' ? p.removePrefix(value, longest) : p.removeSuffix(value, longest);
                        }
                        default -> throw new ParseException("unsupported modifier (" + modifier + ") in substitution");
                    };
                }
                default -> throw new ParseException("unsupported modifier (" + modifier + ") in substitution");
            }
        }

        private String processReplacement(String name) throws ParseException {
            boolean all = peek() == '/';
            if (all) next();
            String pattern;
            try {
                pattern = processStopOn('/', true).result;
            } catch (ParseException e) {
                if (peek() == EOF) throw new ParseException("syntax error: missing '/' in ${}");
                throw e;
            }
            String replacement;
            try {
                replacement = processStopOn('}', true).result;
            } catch (ParseException e) {
                if (peek() == EOF) throw new ParseException("syntax error: missing '}'");
                throw e;
            }
            String value = env.apply(name);
            if (value == null && skipUnset) return "${" + name + "/" + pattern + "/" + replacement + "}";
            if (value == null) value = "";
            return ShellPattern.compile(pattern).replace(value, replacement, all);
        }

        /** A name: letters, digits and _; or a run of digits; or one special parameter character. */
        private String processName() {
            StringBuilder name = new StringBuilder();
            while (peek() != EOF) {
                int ch = peek();
                if (name.isEmpty() && Character.isDigit(ch)) {
                    while (peek() != EOF && Character.isDigit(peek())) name.appendCodePoint(next());
                    return name.toString();
                }
                if (name.isEmpty() && isSpecialParameter(ch)) return Character.toString(next());
                if (!Character.isLetter(ch) && !Character.isDigit(ch) && ch != '_') break;
                name.appendCodePoint(next());
            }
            return name.toString();
        }
    }

    private static boolean isSpecialParameter(int ch) {
        return ch == '@' || ch == '*' || ch == '#' || ch == '?' || ch == '-' || ch == '$' || ch == '!' || ch == '0';
    }
}
