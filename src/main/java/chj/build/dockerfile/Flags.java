package chj.build.dockerfile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builder flags ({@code --from=…}, {@code --link}, …): the words starting with {@code --} right after
 * the instruction's name. Quotes group and are removed, the escape character escapes, a bare
 * {@code --} ends the flags.
 */
final class Flags {

    enum Kind { BOOL, STRING, STRINGS }

    /** A flag word as written, quotes removed, and its offset in the logical line. */
    record Word(String text, int offset) {}

    /** The flags and the rest of the line (trimmed) with its offset. */
    record Extracted(List<Word> flags, String rest, int restOffset) {}

    private final Map<String, List<String>> values;
    private final Map<String, List<Word>> words;

    private Flags(Map<String, List<String>> values, Map<String, List<Word>> words) {
        this.values = values;
        this.words = words;
    }

    private enum Phase { SPACES, WORD, QUOTE }

    static Extracted extract(String line, int offset, char escape) {
        List<Word> words = new ArrayList<>();
        Phase phase = Phase.SPACES;
        StringBuilder sb = new StringBuilder();
        char quote = 0;
        boolean blankOk = false;
        int wordStart = 0;
        int len = line.length();
        for (int pos = 0; pos <= len; pos++) {
            char ch = pos < len ? line.charAt(pos) : 0;
            if (phase == Phase.SPACES) {
                if (pos == len) break;
                if (ShellLexer.isSpace(ch)) continue;
                if (ch != '-' || pos + 1 == len || line.charAt(pos + 1) != '-') return rest(words, line, pos, offset);
                phase = Phase.WORD;
                wordStart = pos;
            }
            if (pos == len) {
                String word = sb.toString();
                if (!word.equals("--") && (blankOk || !word.isEmpty())) words.add(new Word(word, offset + wordStart));
                break;
            }
            if (phase == Phase.WORD) {
                if (ShellLexer.isSpace(ch)) {
                    String word = sb.toString();
                    phase = Phase.SPACES;
                    if (word.equals("--")) return rest(words, line, pos, offset);
                    if (blankOk || !word.isEmpty()) words.add(new Word(word, offset + wordStart));
                    sb.setLength(0);
                    blankOk = false;
                    continue;
                }
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    blankOk = true;
                    phase = Phase.QUOTE;
                    continue;
                }
                if (ch == escape) {
                    if (pos + 1 == len) continue;
                    ch = line.charAt(++pos);
                }
                sb.append(ch);
                continue;
            }
            if (ch == quote) {
                phase = Phase.WORD;
                continue;
            }
            if (ch == escape) {
                if (pos + 1 == len) {
                    phase = Phase.WORD;
                    continue;
                }
                ch = line.charAt(++pos);
            }
            sb.append(ch);
        }
        return new Extracted(List.copyOf(words), "", offset + len);
    }

    private static Extracted rest(List<Word> words, String line, int pos, int offset) {
        String rest = line.substring(pos);
        int lead = LineScanner.leadingSpace(rest);
        return new Extracted(List.copyOf(words), trimEnd(rest.substring(lead)), offset + pos + lead);
    }

    static String trimEnd(String s) {
        int end = s.length();
        while (end > 0 && ShellLexer.isSpace(s.charAt(end - 1))) end--;
        return s.substring(0, end);
    }

    /** Checks the flags against those the instruction knows. */
    static Flags parse(List<Word> words, Map<String, Kind> known, LogicalLine line) throws ParseException {
        Map<String, List<String>> values = new HashMap<>();
        Map<String, List<Word>> given = new HashMap<>();
        for (Word w : words) {
            String text = w.text();
            int eq = text.indexOf('=');
            String flag = eq < 0 ? text : text.substring(0, eq);
            String name = flag.substring(2);
            String value = eq < 0 ? null : text.substring(eq + 1);
            Kind kind = known.get(name);
            if (kind == null) throw line.error(w.offset(), "unknown flag: " + flag);
            if (values.containsKey(name) && kind != Kind.STRINGS)
                throw line.error(w.offset(), "duplicate flag specified: " + flag);
            String stored = switch (kind) {
                case BOOL -> {
                    if (value != null && value.isEmpty()) throw line.error(w.offset(), "missing a value on flag: " + flag);
                    String v = value == null ? "" : value.toLowerCase(Locale.ROOT);
                    if (v.isEmpty() || v.equals("true")) yield "true";
                    if (v.equals("false")) yield "false";
                    throw line.error(w.offset(), "expecting boolean value for flag " + flag + ", not: " + value);
                }
                case STRING, STRINGS -> {
                    if (value == null) throw line.error(w.offset(), "missing a value on flag: " + flag);
                    yield value;
                }
            };
            values.computeIfAbsent(name, k -> new ArrayList<>()).add(stored);
            given.computeIfAbsent(name, k -> new ArrayList<>()).add(w);
        }
        return new Flags(values, given);
    }

    /** The value of a string flag, or null when not given. */
    String string(String name) {
        List<String> v = values.get(name);
        return v == null ? null : v.getFirst();
    }

    /** A boolean flag's value, or null when not given. */
    Boolean bool(String name) {
        List<String> v = values.get(name);
        return v == null ? null : Boolean.valueOf(v.getFirst());
    }

    boolean isTrue(String name) {
        return Boolean.TRUE.equals(bool(name));
    }

    /** Where the {@code index}th occurrence of flag {@code name} is in the logical line. */
    int offset(String name, int index) {
        return words.get(name).get(index).offset();
    }

    /** Every value of a repeatable flag, in order. */
    List<String> strings(String name) {
        return List.copyOf(values.getOrDefault(name, List.of()));
    }
}
