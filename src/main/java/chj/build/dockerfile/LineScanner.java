package chj.build.dockerfile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a Dockerfile's physical lines into logical lines as Docker does: parser directives at the
 * top, comment lines dropped (also between continuation lines), continuation by the escape character
 * at the end of a line, whitespace-only lines inside a continuation skipped with a warning, and
 * here-document bodies read raw on request.
 */
final class LineScanner {

    private static final Pattern DIRECTIVE = Pattern.compile("([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*");
    private static final Set<String> KNOWN_DIRECTIVES = Set.of("escape", "syntax", "check");

    private final String file;
    private final String[] lines;
    private final boolean[] endsWithNewline;
    private final List<Directive> directives = new ArrayList<>();
    private final List<Dockerfile.Warning> warnings = new ArrayList<>();
    private char escape = '\\';
    private int next;

    LineScanner(String text, String file) throws ParseException {
        this.file = file;
        List<String> ls = new ArrayList<>();
        List<Boolean> nl = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                ls.add(text.substring(start));
                nl.add(false);
                break;
            }
            ls.add(text.substring(start, end));
            nl.add(true);
            start = end + 1;
        }
        if (!ls.isEmpty() && ls.getFirst().startsWith("\uFEFF")) ls.set(0, ls.getFirst().substring(1));
        this.lines = ls.toArray(String[]::new);
        this.endsWithNewline = new boolean[nl.size()];
        for (int i = 0; i < nl.size(); i++) endsWithNewline[i] = nl.get(i);
        readDirectives();
    }

    char escape() {
        return escape;
    }

    List<Directive> directives() {
        return List.copyOf(directives);
    }

    List<Dockerfile.Warning> warnings() {
        return List.copyOf(warnings);
    }

    int lineCount() {
        return lines.length;
    }

    /** Physical line {@code lineNo} (1-based) without its line end. */
    String physicalLine(int lineNo) {
        return trimNewline(lines[lineNo - 1]);
    }

    /** Directives are comments of the form {@code # name=value} before anything else, blank lines included. */
    private void readDirectives() throws ParseException {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.length; i++) {
            String line = trimNewline(lines[i]);
            int lead = leadingSpace(line);
            if (!line.startsWith("#", lead)) return;
            int nameAt = lead + 1 + leadingSpace(line.substring(lead + 1));
            Matcher m = DIRECTIVE.matcher(line.substring(nameAt));
            if (!m.matches()) return;
            String name = m.group(1).toLowerCase(Locale.ROOT);
            if (!KNOWN_DIRECTIVES.contains(name)) return;
            SourceLocation at = new SourceLocation(file, i + 1, nameAt + 1);
            if (!seen.add(name)) throw new ParseException(at, line, "only one " + name + " parser directive can be used");
            String value = m.group(2);
            if (name.equals("escape")) {
                if (!value.equals("`") && !value.equals("\\"))
                    throw new ParseException(at, line, "invalid escape token '" + value + "' does not match ` or \\");
                escape = value.charAt(0);
            }
            directives.add(new Directive(name, value, at));
        }
    }

    /** The next instruction's logical line, or null at the end of the file. */
    LogicalLine next() {
        while (next < lines.length) {
            int lineNo = ++next;
            String raw = trimNewline(lines[lineNo - 1]);
            int lead = leadingSpace(raw);
            String first = raw.substring(lead);
            if (first.startsWith("#")) continue;
            Continuation c = trimContinuation(first);
            if (!c.continues && c.text.isEmpty()) continue;

            StringBuilder text = new StringBuilder(c.text);
            List<LogicalLine.Segment> segments = new ArrayList<>();
            segments.add(new LogicalLine.Segment(0, lineNo, lead));
            boolean warned = false;
            boolean continues = c.continues;
            while (continues && next < lines.length) {
                int ln = ++next;
                String line = trimNewline(lines[ln - 1]);
                if (isComment(line)) continue;
                if (leadingSpace(line) == line.length()) {
                    if (!warned) warnings.add(new Dockerfile.Warning(new SourceLocation(file, ln, 1),
                            "empty continuation line (Docker will make this an error)"));
                    warned = true;
                    continue;
                }
                Continuation more = trimContinuation(line);
                segments.add(new LogicalLine.Segment(text.length(), ln, 0));
                text.append(more.text);
                continues = more.continues;
            }
            return new LogicalLine(file, text.toString(), segments, this);
        }
        return null;
    }

    /**
     * Reads a here-document's body: the raw lines after the current logical line up to the one equal
     * to {@code name} (after stripping leading tabs when {@code chomp}).
     */
    String readHeredoc(String name, boolean chomp, Source startedBy) throws ParseException {
        StringBuilder content = new StringBuilder();
        while (next < lines.length) {
            int i = next++;
            String candidate = trimNewline(lines[i]);
            if (chomp) candidate = candidate.replaceFirst("^\t+", "");
            if (candidate.equals(name)) return content.toString();
            content.append(lines[i]);
            if (endsWithNewline[i]) content.append('\n');
        }
        throw startedBy.error("unterminated heredoc: no line \"" + name + "\" before the end of the file");
    }

    private record Continuation(String text, boolean continues) {}

    /**
     * A line continues when its last character other than blanks and tabs is the escape character,
     * unless that is itself escaped (Docker's rule, which ignores longer runs of escape characters).
     */
    private Continuation trimContinuation(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) end--;
        if (end == 0 || line.charAt(end - 1) != escape) return new Continuation(line, false);
        if (end == 1) return new Continuation("", true);
        if (line.charAt(end - 2) == escape) return new Continuation(line, false);
        return new Continuation(line.substring(0, end - 1), true);
    }

    private static boolean isComment(String line) {
        return line.startsWith("#", leadingSpace(line));
    }

    static String trimNewline(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == '\r' || line.charAt(end - 1) == '\n')) end--;
        return line.substring(0, end);
    }

    static int leadingSpace(String s) {
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (!ShellLexer.isSpace(cp)) break;
            i += Character.charCount(cp);
        }
        return i;
    }
}
