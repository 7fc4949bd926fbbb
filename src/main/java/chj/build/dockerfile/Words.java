package chj.build.dockerfile;

import java.util.ArrayList;
import java.util.List;

/** The ways Docker splits an instruction's arguments into words before any substitution. */
final class Words {

    private Words() {}

    /** A word and its offset in the logical line. */
    record Word(String text, int offset) {}

    private static boolean isSplitSpace(char c) {
        return c == ' ' || c == '\t' || c == 0x0B || c == '\f' || c == '\r';
    }

    /** Splits at runs of blanks; quotes mean nothing (COPY, ADD, VOLUME, EXPOSE, FROM). */
    static List<Word> whitespace(String s, int offset) {
        List<Word> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && isSplitSpace(s.charAt(i))) i++;
            if (i >= s.length()) break;
            int start = i;
            while (i < s.length() && !isSplitSpace(s.charAt(i))) i++;
            out.add(new Word(s.substring(start, i), offset + start));
        }
        return out;
    }

    private enum Phase { SPACES, WORD, QUOTE }

    /**
     * Splits at white space outside quotes, keeping quotes and escapes in the words for the later
     * substitution to interpret (ENV, LABEL, ARG).
     */
    static List<Word> quoted(String s, int offset, char escape) {
        List<Word> out = new ArrayList<>();
        Phase phase = Phase.SPACES;
        StringBuilder sb = new StringBuilder();
        int quote = 0;
        boolean blankOk = false;
        int start = 0;
        int len = s.length();
        int pos = 0;
        while (pos <= len) {
            int ch = pos < len ? s.codePointAt(pos) : 0;
            int width = pos < len ? Character.charCount(ch) : 0;
            if (phase == Phase.SPACES) {
                if (pos == len) break;
                if (ShellLexer.isSpace(ch)) {
                    pos += width;
                    continue;
                }
                phase = Phase.WORD;
                start = pos;
            }
            if (pos == len) {
                if (blankOk || !sb.isEmpty()) out.add(new Word(sb.toString(), offset + start));
                break;
            }
            if (phase == Phase.WORD) {
                if (ShellLexer.isSpace(ch)) {
                    phase = Phase.SPACES;
                    if (blankOk || !sb.isEmpty()) out.add(new Word(sb.toString(), offset + start));
                    sb.setLength(0);
                    blankOk = false;
                    pos += width;
                    continue;
                }
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    blankOk = true;
                    phase = Phase.QUOTE;
                }
                if (ch == escape) {
                    if (pos + width == len) {
                        pos += width;
                        continue;
                    }
                    sb.appendCodePoint(ch);
                    pos += width;
                    ch = s.codePointAt(pos);
                    width = Character.charCount(ch);
                }
                sb.appendCodePoint(ch);
                pos += width;
                continue;
            }
            if (ch == quote) phase = Phase.WORD;
            if (ch == escape && quote != '\'') {
                if (pos + width == len) {
                    phase = Phase.WORD;
                    pos += width;
                    continue;
                }
                sb.appendCodePoint(ch);
                pos += width;
                ch = s.codePointAt(pos);
                width = Character.charCount(ch);
            }
            sb.appendCodePoint(ch);
            pos += width;
        }
        return out;
    }

    /** Go's {@code %q}: the string in double quotes with {@code "}, {@code \} and control characters escaped. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7F) b.append(String.format("\\x%02x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
