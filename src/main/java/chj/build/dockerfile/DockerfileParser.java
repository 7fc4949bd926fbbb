package chj.build.dockerfile;

import chj.build.dockerfile.Instruction.From;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dockerfile text → {@link Dockerfile}: logical lines from {@link LineScanner}, each split into
 * name, builder flags and arguments, here-document bodies read for RUN/COPY/ADD, ONBUILD's trigger
 * parsed, arguments handed to {@link InstructionParser}, and instructions grouped into stages.
 */
final class DockerfileParser {

    private static final Set<String> KEYWORDS = Set.of("FROM", "RUN", "COPY", "ADD", "ENV", "ARG", "WORKDIR", "SHELL",
            "USER", "LABEL", "CMD", "ENTRYPOINT", "EXPOSE", "VOLUME", "STOPSIGNAL", "HEALTHCHECK", "ONBUILD", "MAINTAINER");
    private static final Set<String> TAKES_HEREDOCS = Set.of("RUN", "COPY", "ADD");
    private static final Pattern HEREDOC_WORD = Pattern.compile("(\\d*)<<(-?)\\s*([^<]*)");
    private static final Pattern ONBUILD_PREFIX = Pattern.compile("(?i)^\\s*ONBUILD\\s*");
    private static final Set<String> RESERVED_STAGE_NAMES = Set.of("scratch", "context");

    private final String text;
    private final String file;
    private LineScanner scanner;
    private char escape;
    private InstructionParser instructions;

    DockerfileParser(String text, String file) {
        this.text = text;
        this.file = file;
    }

    Dockerfile parse() throws ParseException {
        scanner = new LineScanner(text, file);
        escape = scanner.escape();
        instructions = new InstructionParser(escape);
        List<Instruction.Arg> globalArgs = new ArrayList<>();
        List<Stage> stages = new ArrayList<>();
        Map<String, From> names = new HashMap<>();
        From from = null;
        List<Instruction> body = new ArrayList<>();
        boolean any = false;
        for (LogicalLine line; (line = scanner.next()) != null;) {
            if (LineScanner.leadingSpace(line.text()) == line.text().length()) continue;
            Instruction instruction = parseLine(line);
            any = true;
            if (instruction instanceof From f) {
                if (from != null) stages.add(new Stage(stages.size(), from, body));
                checkStageName(f, names);
                from = f;
                body = new ArrayList<>();
            } else if (from != null) {
                body.add(instruction);
            } else if (instruction instanceof Instruction.Arg a) {
                globalArgs.add(a);
            } else {
                throw instruction.source().error(instruction.keyword()
                        + " before the first FROM: only ARG may come before FROM");
            }
        }
        SourceLocation top = new SourceLocation(file, 1, 1);
        String firstLine = scanner.lineCount() > 0 ? scanner.physicalLine(1) : "";
        if (!any) throw new ParseException(top, firstLine, "file with no instructions");
        if (from == null) throw new ParseException(top, firstLine, "no FROM instruction: the Dockerfile has no stage to build");
        stages.add(new Stage(stages.size(), from, body));
        return new Dockerfile(scanner.directives(), globalArgs, stages, escape, scanner.warnings());
    }

    /**
     * Parses an ONBUILD trigger from a base image's config ({@code config.OnBuild}): one instruction
     * (with its here-documents), default escape character, as Docker re-parses them.
     */
    static Instruction parseTrigger(String expression, String fileName) throws ParseException {
        DockerfileParser p = new DockerfileParser(expression, fileName);
        p.scanner = new LineScanner(expression, fileName);
        p.escape = '\\';
        p.instructions = new InstructionParser(p.escape);
        LogicalLine line = p.scanner.next();
        if (line == null) throw new ParseException(new SourceLocation(fileName, 1, 1), expression, "empty ONBUILD trigger");
        Instruction i = p.parseLine(line);
        switch (i.keyword()) {
            case "ONBUILD" -> throw i.source().error("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
            case "FROM", "MAINTAINER" -> throw i.source().error(i.keyword() + " isn't allowed as an ONBUILD trigger");
            default -> {}
        }
        if (p.scanner.next() != null) throw i.source().error("onbuild trigger should be a single expression");
        return i;
    }

    private static void checkStageName(From f, Map<String, From> names) throws ParseException {
        if (f.name() == null) return;
        if (RESERVED_STAGE_NAMES.contains(f.name()))
            throw f.source().error("\"" + f.name() + "\" is a reserved name and cannot name a stage");
        From earlier = names.putIfAbsent(f.name(), f);
        if (earlier != null)
            throw f.source().error("duplicate stage name \"" + f.name() + "\" (first used at " + earlier.location() + ")");
    }

    private InstructionParser.Head head(String text, int base) {
        int a = LineScanner.leadingSpace(text);
        int e = a;
        while (e < text.length() && !isSplitSpace(text.charAt(e))) e++;
        String written = text.substring(a, e);
        Flags.Extracted x = Flags.extract(text.substring(e), base + e, escape);
        return new InstructionParser.Head(written.toUpperCase(Locale.ROOT), written, base + a, x.flags(), x.rest(), x.restOffset());
    }

    private static boolean isSplitSpace(char c) {
        return c == ' ' || c == '\t' || c == 0x0B || c == '\f' || c == '\r';
    }

    private static void checkKnown(InstructionParser.Head h, LogicalLine line) throws ParseException {
        if (!KEYWORDS.contains(h.keyword())) throw line.error(h.keywordOffset(), "unknown instruction: " + h.written());
    }

    private Instruction parseLine(LogicalLine line) throws ParseException {
        InstructionParser.Head h = head(line.text(), 0);
        checkKnown(h, line);
        Source source = line.source(h.keywordOffset(), line.text());
        if (!h.keyword().equals("ONBUILD")) return instructions.build(h, line, source, heredocs(h, line, source));

        Flags.parse(h.flags(), Map.of(), line);
        if (h.rest().isEmpty()) throw source.error("ONBUILD requires at least one argument");
        InstructionParser.Head sub = head(h.rest(), h.restOffset());
        checkKnown(sub, line);
        switch (sub.keyword()) {
            case "ONBUILD" -> throw line.error(sub.keywordOffset(), "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
            case "FROM", "MAINTAINER" -> throw line.error(sub.keywordOffset(), sub.keyword() + " isn't allowed as an ONBUILD trigger");
            default -> {}
        }
        List<Heredoc> docs = heredocs(sub, line, source);
        Instruction trigger = instructions.build(sub, line, line.source(sub.keywordOffset(), h.rest()), docs);
        StringBuilder expression = new StringBuilder(ONBUILD_PREFIX.matcher(line.text()).replaceFirst(""));
        for (Heredoc d : docs) expression.append('\n').append(d.content()).append(d.name());
        return new Instruction.Onbuild(source, trigger, expression.toString());
    }

    // ---- here-documents ----

    /** The here-documents of a RUN, COPY or ADD in shell form, their bodies read from the lines after it. */
    private List<Heredoc> heredocs(InstructionParser.Head h, LogicalLine line, Source source) throws ParseException {
        if (!TAKES_HEREDOCS.contains(h.keyword()) || !line.text().contains("<<")) return List.of();
        if (InstructionParser.jsonArray(h.rest(), line, h.restOffset()) != null) return List.of();
        List<String> words;
        try {
            words = new ShellLexer('\\').rawQuotes(true).rawEscapes(true).skipUnset(true)
                    .processWords(line.text(), name -> null);
        } catch (ParseException unlexable) {
            return List.of();
        }
        List<Heredoc> out = new ArrayList<>();
        for (String word : words) {
            Heredoc spec;
            try {
                spec = heredocWord(word);
            } catch (ParseException e) {
                throw source.error(e.detail());
            }
            if (spec == null) continue;
            String content = scanner.readHeredoc(spec.name(), spec.chomp(), source);
            out.add(new Heredoc(spec.name(), content, spec.chomp(), spec.expand(), spec.fileDescriptor()));
        }
        return out;
    }

    /**
     * A word of the form {@code [N]<<[-]DELIM}, or null. The delimiter is quoted (so the body is not
     * expanded) when lexing it removes quote characters.
     */
    static Heredoc heredocWord(String word) throws ParseException {
        Matcher m = HEREDOC_WORD.matcher(word);
        if (!m.matches()) return null;
        String rest = m.group(3);
        if (rest.isEmpty()) return null;
        int fd;
        try {
            fd = m.group(1).isEmpty() ? 0 : Integer.parseInt(m.group(1));
        } catch (NumberFormatException tooBig) {
            fd = 0;
        }
        ShellLexer lexer = new ShellLexer('\\').skipUnset(true);
        List<String> words = lexer.processWords(rest, name -> null);
        if (words.size() != 1) return null;
        List<String> raw = lexer.rawQuotes(true).processWords(rest, name -> null);
        if (raw.size() != 1)
            throw new ParseException("internal lexing of heredoc produced inconsistent results: " + rest);
        boolean expand = quotes(words.getFirst()) == quotes(raw.getFirst());
        return new Heredoc(words.getFirst(), "", m.group(2).equals("-"), expand, fd);
    }

    static Heredoc heredocWordQuietly(String word) {
        try {
            return heredocWord(word);
        } catch (ParseException e) {
            return null;
        }
    }

    private static long quotes(String s) {
        return s.chars().filter(c -> c == '\'' || c == '"').count();
    }
}
