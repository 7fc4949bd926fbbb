package chj.build.dockerfile;

import chj.json.JsonTree;
import chj.build.dockerfile.Flags.Kind;
import chj.build.dockerfile.Instruction.From;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One instruction's arguments → its {@link Instruction} record, by the rules Docker applies to that
 * instruction: which flags it knows, JSON or shell form, words split at blanks or with quotes kept,
 * {@code key=value} pairs, and the argument counts.
 */
final class InstructionParser {

    /** The instruction name, flags and the rest of one instruction's text. */
    record Head(String keyword, String written, int keywordOffset, List<Flags.Word> flags, String rest,
            int restOffset) {}

    private static final Pattern STAGE_NAME = Pattern.compile("[a-z][a-z0-9-_.]*");

    private static final Map<String, Kind> NO_FLAGS = Map.of();
    private static final Map<String, Kind> FROM_FLAGS = Map.of("platform", Kind.STRING);
    private static final Map<String, Kind> RUN_FLAGS = Map.of("mount", Kind.STRINGS, "network", Kind.STRING,
            "security", Kind.STRING);
    private static final Map<String, Kind> COPY_FLAGS = Map.of("from", Kind.STRING, "chown", Kind.STRING, "chmod",
            Kind.STRING, "link", Kind.BOOL, "exclude", Kind.STRINGS, "parents", Kind.BOOL);
    private static final Map<String, Kind> ADD_FLAGS = Map.of("chown", Kind.STRING, "chmod", Kind.STRING, "link",
            Kind.BOOL, "exclude", Kind.STRINGS, "checksum", Kind.STRING, "keep-git-dir", Kind.BOOL, "unpack", Kind.BOOL);
    private static final Map<String, Kind> HEALTHCHECK_FLAGS = Map.of("interval", Kind.STRING, "timeout", Kind.STRING,
            "start-period", Kind.STRING, "start-interval", Kind.STRING, "retries", Kind.STRING);

    private final char escape;

    InstructionParser(char escape) {
        this.escape = escape;
    }

    // ---- argument forms ----

    /** The strings of a JSON array, or null when {@code rest} is not one (then it is shell form). */
    static List<String> jsonArray(String rest, LogicalLine line, int offset) throws ParseException {
        if (!rest.startsWith("[")) return null;
        JsonNode node;
        try {
            node = JsonTree.read(rest);
        } catch (JacksonException notJson) {
            return null;
        }
        if (node == null || !node.isArray()) return null;
        List<String> out = new ArrayList<>();
        for (JsonNode e : node) {
            if (!e.isTextual())
                throw line.error(offset, "when using JSON array syntax, arrays must be comprised of strings only");
            out.add(e.asText());
        }
        return out;
    }

    /** RUN, CMD, ENTRYPOINT: JSON array or one string; null when there is nothing. */
    private static CommandLine commandLine(String rest, LogicalLine line, int offset) throws ParseException {
        if (rest.isEmpty()) return null;
        List<String> argv = jsonArray(rest, line, offset);
        return argv != null ? new CommandLine.Exec(argv) : new CommandLine.Shell(rest);
    }

    /** COPY, ADD, VOLUME: JSON array or words split at blanks. */
    private record ListArgs(List<Words.Word> words, boolean json) {}

    private static ListArgs listArgs(Head h, LogicalLine line) throws ParseException {
        List<String> json = jsonArray(h.rest(), line, h.restOffset());
        if (json == null) return new ListArgs(Words.whitespace(h.rest(), h.restOffset()), false);
        return new ListArgs(json.stream().map(s -> new Words.Word(s, h.restOffset())).toList(), true);
    }

    // ---- instructions ----

    Instruction build(Head h, LogicalLine line, Source src, List<Heredoc> docs) throws ParseException {
        return switch (h.keyword()) {
            case "FROM" -> from(h, line, src);
            case "RUN" -> run(h, line, src, docs);
            case "COPY" -> copy(h, line, src, docs);
            case "ADD" -> add(h, line, src, docs);
            case "ENV" -> new Instruction.Env(src, keyValues(h, line, src));
            case "LABEL" -> new Instruction.Label(src, keyValues(h, line, src));
            case "ARG" -> arg(h, line, src);
            case "WORKDIR" -> new Instruction.Workdir(src, oneArgument(h, line, src));
            case "USER" -> new Instruction.User(src, oneArgument(h, line, src));
            case "STOPSIGNAL" -> new Instruction.StopSignal(src, oneArgument(h, line, src));
            case "MAINTAINER" -> new Instruction.Maintainer(src, oneArgument(h, line, src));
            case "CMD" -> new Instruction.Cmd(src, requiredCommand(h, line, src));
            case "ENTRYPOINT" -> new Instruction.Entrypoint(src, requiredCommand(h, line, src));
            case "SHELL" -> shell(h, line, src);
            case "EXPOSE" -> expose(h, line, src);
            case "VOLUME" -> volume(h, line, src);
            case "HEALTHCHECK" -> healthcheck(h, line, src);
            default -> throw new IllegalStateException("unhandled instruction " + h.keyword());
        };
    }

    private From from(Head h, LogicalLine line, Source src) throws ParseException {
        Flags flags = Flags.parse(h.flags(), FROM_FLAGS, line);
        List<Words.Word> words = Words.whitespace(h.rest(), h.restOffset());
        if (words.size() == 1) return new From(src, words.getFirst().text(), null, flags.string("platform"));
        if (words.size() == 3 && words.get(1).text().equalsIgnoreCase("as")) {
            Words.Word name = words.get(2);
            String lower = name.text().toLowerCase(Locale.ROOT);
            if (!STAGE_NAME.matcher(lower).matches())
                throw line.error(name.offset(), "invalid name for build stage: " + Words.quote(name.text())
                        + ", name can't start with a number or contain symbols");
            return new From(src, words.getFirst().text(), lower, flags.string("platform"));
        }
        throw src.error("FROM requires either one or three arguments");
    }

    private Instruction run(Head h, LogicalLine line, Source src, List<Heredoc> docs) throws ParseException {
        Flags flags = Flags.parse(h.flags(), RUN_FLAGS, line);
        List<String> mounts = flags.strings("mount");
        for (int i = 0; i < mounts.size(); i++) {
            try {
                RunMount.parse(mounts.get(i), null);
            } catch (ParseException e) {
                throw line.error(flags.offset("mount", i), e.detail());
            }
        }
        String network = flags.string("network");
        if (network != null && !Set.of("default", "none", "host").contains(network))
            throw line.error(flags.offset("network", 0), "unsupported network mode " + Words.quote(network)
                    + ": expected default, none or host");
        String security = flags.string("security");
        if (security != null && !Set.of("sandbox", "insecure").contains(security))
            throw line.error(flags.offset("security", 0), "unsupported security mode " + Words.quote(security)
                    + ": expected sandbox or insecure");
        return new Instruction.Run(src, requiredCommand(h, line, src), docs, mounts, network, security);
    }

    private static CommandLine requiredCommand(Head h, LogicalLine line, Source src) throws ParseException {
        CommandLine c = commandLine(h.rest(), line, h.restOffset());
        if (c == null) throw src.error(h.keyword() + " requires at least one argument");
        return c;
    }

    /** Sources and destination of COPY and ADD; heredoc sources become inline files. */
    private record Transfer(List<String> sources, List<Heredoc> inline, String destination) {}

    private static Transfer transfer(Head h, LogicalLine line, Source src, List<Heredoc> docs) throws ParseException {
        ListArgs args = listArgs(h, line);
        if (args.words().size() < 2)
            throw src.error(h.keyword() + " requires at least two arguments, but only one was provided. "
                    + "Destination could not be determined");
        Words.Word dest = args.words().getLast();
        if (DockerfileParser.heredocWordQuietly(dest.text()) != null)
            throw line.error(dest.offset(), h.keyword() + " cannot accept a heredoc as a destination");
        Map<String, Heredoc> byName = new HashMap<>();
        for (Heredoc d : docs) byName.put(d.name(), d);
        List<String> sources = new ArrayList<>();
        List<Heredoc> inline = new ArrayList<>();
        for (Words.Word w : args.words().subList(0, args.words().size() - 1)) {
            Heredoc spec = args.json() ? null : DockerfileParser.heredocWordQuietly(w.text());
            if (spec == null) {
                sources.add(w.text());
            } else {
                Heredoc read = byName.get(spec.name());
                inline.add(read != null ? read : spec);
            }
        }
        return new Transfer(sources, inline, dest.text());
    }

    private Instruction copy(Head h, LogicalLine line, Source src, List<Heredoc> docs) throws ParseException {
        Flags flags = Flags.parse(h.flags(), COPY_FLAGS, line);
        Transfer t = transfer(h, line, src, docs);
        return new Instruction.Copy(src, t.sources(), t.inline(), t.destination(), flags.string("from"),
                flags.string("chown"), flags.string("chmod"), flags.isTrue("link"), flags.strings("exclude"),
                flags.isTrue("parents"));
    }

    private Instruction add(Head h, LogicalLine line, Source src, List<Heredoc> docs) throws ParseException {
        Flags flags = Flags.parse(h.flags(), ADD_FLAGS, line);
        Transfer t = transfer(h, line, src, docs);
        return new Instruction.Add(src, t.sources(), t.inline(), t.destination(), flags.string("chown"),
                flags.string("chmod"), flags.isTrue("link"), flags.strings("exclude"), flags.string("checksum"),
                flags.bool("keep-git-dir"), flags.bool("unpack"));
    }

    /** ENV and LABEL: {@code k=v k2="v 2"} or the legacy {@code k v with spaces}. */
    private List<KeyValue> keyValues(Head h, LogicalLine line, Source src) throws ParseException {
        Flags.parse(h.flags(), NO_FLAGS, line);
        List<Words.Word> words = Words.quoted(h.rest(), h.restOffset(), escape);
        if (words.isEmpty()) throw src.error(h.keyword() + " requires at least one argument");
        List<KeyValue> out = new ArrayList<>();
        if (!words.getFirst().text().contains("=")) {
            List<Words.Word> parts = Words.whitespace(h.rest(), h.restOffset());
            if (parts.size() < 2) throw src.error(h.keyword() + " must have two arguments");
            String value = h.rest().substring(parts.get(1).offset() - h.restOffset());
            out.add(new KeyValue(parts.getFirst().text(), value, true));
            return out;
        }
        for (Words.Word w : words) {
            int eq = w.text().indexOf('=');
            if (eq < 0)
                throw line.error(w.offset(), "Syntax error - can't find = in " + Words.quote(w.text())
                        + ". Must be of the form: name=value");
            if (eq == 0) throw line.error(w.offset(), h.keyword() + " names can not be blank");
            out.add(new KeyValue(w.text().substring(0, eq), w.text().substring(eq + 1), false));
        }
        return out;
    }

    private Instruction arg(Head h, LogicalLine line, Source src) throws ParseException {
        Flags.parse(h.flags(), NO_FLAGS, line);
        List<Words.Word> words = Words.quoted(h.rest(), h.restOffset(), escape);
        if (words.isEmpty()) throw src.error("ARG requires at least one argument");
        List<ArgDefinition> defs = new ArrayList<>();
        for (Words.Word w : words) {
            int eq = w.text().indexOf('=');
            if (eq == 0) throw line.error(w.offset(), "ARG names can not be blank");
            defs.add(eq < 0 ? new ArgDefinition(w.text(), null)
                    : new ArgDefinition(w.text().substring(0, eq), w.text().substring(eq + 1)));
        }
        return new Instruction.Arg(src, defs);
    }

    /** WORKDIR, USER, STOPSIGNAL, MAINTAINER: the whole rest of the line is the one argument. */
    private static String oneArgument(Head h, LogicalLine line, Source src) throws ParseException {
        Flags.parse(h.flags(), NO_FLAGS, line);
        if (h.rest().isEmpty()) throw src.error(h.keyword() + " requires exactly one argument");
        return h.rest();
    }

    private static Instruction shell(Head h, LogicalLine line, Source src) throws ParseException {
        Flags.parse(h.flags(), NO_FLAGS, line);
        if (h.rest().isEmpty()) throw src.error("SHELL requires at least one argument");
        List<String> argv = jsonArray(h.rest(), line, h.restOffset());
        if (argv == null) throw src.error("SHELL requires the arguments to be in JSON form");
        if (argv.isEmpty()) throw src.error("SHELL requires at least one argument");
        return new Instruction.Shell(src, argv);
    }

    private static Instruction expose(Head h, LogicalLine line, Source src) throws ParseException {
        Flags.parse(h.flags(), NO_FLAGS, line);
        List<Words.Word> words = Words.whitespace(h.rest(), h.restOffset());
        if (words.isEmpty()) throw src.error("EXPOSE requires at least one argument");
        return new Instruction.Expose(src, words.stream().map(Words.Word::text).toList());
    }

    private static Instruction volume(Head h, LogicalLine line, Source src) throws ParseException {
        Flags.parse(h.flags(), NO_FLAGS, line);
        ListArgs args = listArgs(h, line);
        if (args.words().isEmpty()) throw src.error("VOLUME requires at least one argument");
        List<String> paths = new ArrayList<>();
        for (Words.Word w : args.words()) {
            String p = w.text().strip();
            if (p.isEmpty()) throw line.error(w.offset(), "VOLUME specified can not be an empty string");
            paths.add(p);
        }
        return new Instruction.Volume(src, paths);
    }

    private static Instruction healthcheck(Head h, LogicalLine line, Source src) throws ParseException {
        Flags flags = Flags.parse(h.flags(), HEALTHCHECK_FLAGS, line);
        String rest = h.rest();
        if (rest.isEmpty()) throw src.error("HEALTHCHECK requires at least one argument");
        int sep = 0;
        while (sep < rest.length() && !ShellLexer.isSpace(rest.charAt(sep))) sep++;
        int next = sep;
        while (next < rest.length() && ShellLexer.isSpace(rest.charAt(next))) next++;
        String type = rest.substring(0, sep).toUpperCase(Locale.ROOT);
        String command = rest.substring(next);
        if (type.equals("NONE")) {
            if (!command.isEmpty()) throw src.error("HEALTHCHECK NONE takes no arguments");
            return new Instruction.Healthcheck(src, HealthConfig.none());
        }
        if (!type.equals("CMD"))
            throw line.error(h.restOffset(), "Unknown type " + Words.quote(type) + " in HEALTHCHECK (try CMD)");
        CommandLine c = commandLine(command, line, h.restOffset() + next);
        List<String> test = new ArrayList<>();
        switch (c) {
            case null -> throw src.error("Missing command after HEALTHCHECK CMD");
            case CommandLine.Exec e -> {
                if (e.argv().isEmpty()) throw src.error("Missing command after HEALTHCHECK CMD");
                test.add("CMD");
                test.addAll(e.argv());
            }
            case CommandLine.Shell s -> {
                test.add("CMD-SHELL");
                test.add(s.script());
            }
        }
        int retries = 0;
        String r = flags.string("retries");
        if (r != null) {
            try {
                retries = Integer.parseInt(r);
            } catch (NumberFormatException e) {
                throw line.error(flags.offset("retries", 0), "strconv.ParseInt: parsing " + Words.quote(r) + ": invalid syntax");
            }
            if (retries < 0) throw line.error(flags.offset("retries", 0), "--retries cannot be negative (" + retries + ")");
        }
        return new Instruction.Healthcheck(src, new HealthConfig(test, interval(flags, "interval", line),
                interval(flags, "timeout", line), interval(flags, "start-period", line),
                interval(flags, "start-interval", line), retries));
    }

    private static Duration interval(Flags flags, String name, LogicalLine line) throws ParseException {
        String v = flags.string(name);
        if (v == null || v.isEmpty()) return Duration.ZERO;
        Duration d;
        try {
            d = GoDuration.parse(v);
        } catch (IllegalArgumentException e) {
            throw line.error(flags.offset(name, 0), e.getMessage());
        }
        if (!d.isZero() && d.compareTo(Duration.ofMillis(1)) < 0)
            throw line.error(flags.offset(name, 0), "Interval " + Words.quote(name) + " cannot be less than 1ms");
        return d;
    }
}
