package chj.build.dockerfile;

import chj.json.JsonTree;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One stage being built: the executor feeds it the stage's instructions in order ({@link
 * #instructions()}: the base image's ONBUILD triggers first) and gets back, for each, a {@link Step}
 * with everything substituted. It keeps the variables in scope the way Docker does: the base image's
 * ENV, then each ENV and ARG in order (a later definition wins); an ARG takes its value from
 * {@code --build-arg}, else its default, else the global ARG of that name. ARG values reach RUN and
 * substitution but never the image config. Pure: no I/O.
 *
 * <p>History arguments by instruction: RUN {@code {form, argv, [mounts], [network], [security],
 * [heredocs]}}; COPY/ADD {@code {sources, destination, [from], [chown], [chmod], [link], [inline],
 * ...}}; ENV, LABEL, ARG an object of names to values (an ARG without value maps to null); CMD,
 * ENTRYPOINT, SHELL, EXPOSE, VOLUME the resulting array; WORKDIR, USER, STOPSIGNAL, MAINTAINER,
 * ONBUILD the resulting string; HEALTHCHECK the config's Healthcheck object.
 */
public final class StageBuild {

    /** Docker's PATH for RUN when the image sets none. */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** Where a {@code RUN <<EOF} script with a {@code #!} line is made visible, as Docker does. */
    public static final String SCRIPT_DIR = "/dev/pipes";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final BuildPlan plan;
    private final BuildPlan.PlannedStage stage;
    private final List<Instruction> triggers;
    private final Map<String, String> variables;
    private ConfigState config;

    StageBuild(BuildPlan plan, BuildPlan.PlannedStage stage, ConfigState base) throws ParseException {
        this.plan = plan;
        this.stage = stage;
        List<Instruction> t = new ArrayList<>();
        String where = "ONBUILD trigger of " + describe(stage.base());
        for (String expression : base.onBuild()) t.add(DockerfileParser.parseTrigger(expression, where));
        this.triggers = List.copyOf(t);
        this.config = base.forNewStage();
        this.variables = new LinkedHashMap<>(base.envMap());
    }

    private static String describe(BuildPlan.Base base) {
        return switch (base) {
            case BuildPlan.Base.Image i -> i.reference();
            case BuildPlan.Base.StageOutput s -> "stage " + s.index();
            case BuildPlan.Base.Scratch s -> "scratch";
        };
    }

    public BuildPlan.PlannedStage stage() {
        return stage;
    }

    /** The base image's ONBUILD triggers, parsed; they run before the stage's own instructions. */
    public List<Instruction> triggers() {
        return triggers;
    }

    /** Triggers, then the stage's instructions: what to {@link #apply}, in order. */
    public List<Instruction> instructions() {
        List<Instruction> all = new ArrayList<>(triggers);
        all.addAll(stage.stage().instructions());
        return Collections.unmodifiableList(all);
    }

    /** The config so far. */
    public ConfigState config() {
        return config;
    }

    /** The variables in scope for substitution now (ENV and ARG values). */
    public Map<String, String> variables() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    }

    /** Substitution against the variables in scope now, blaming {@code at} for errors. */
    public Expansion expansion(Source at) {
        return new Expansion(plan.dockerfile().escape(), variables, at);
    }

    /**
     * Applies one instruction: updates the config and variables and says what to do.
     *
     * @throws ParseException for a word that does not substitute, a bad value, or a FROM (stages start with {@link BuildPlan#begin})
     */
    public Step apply(Instruction instruction) throws ParseException {
        Expansion x = expansion(instruction.source());
        return switch (instruction) {
            case Instruction.From f -> throw f.source().error("FROM inside a stage: start a new StageBuild");
            case Instruction.Arg a -> arg(a, x);
            case Instruction.Env e -> env(e, x);
            case Instruction.Label l -> label(l, x);
            case Instruction.Run r -> run(r, x);
            case Instruction.Copy c -> copy(c, x);
            case Instruction.Add a -> add(a, x);
            case Instruction.Workdir w -> {
                config = config.apply(w, x);
                String path = config.workingDirOrRoot();
                yield new Step.Workdir(w, path, config.user(), !path.equals("/"),
                        entry(w, "WORKDIR " + path, NODES.textNode(path), path.equals("/")));
            }
            default -> {
                config = config.apply(instruction, x);
                yield new Step.Config(instruction, configHistory(instruction));
            }
        };
    }

    private Step arg(Instruction.Arg a, Expansion x) throws ParseException {
        Map<String, String> buildArgs = plan.options().buildArgs();
        ObjectNode args = NODES.objectNode();
        List<String> text = new ArrayList<>();
        for (ArgDefinition d : a.definitions()) {
            String value = null;
            if (buildArgs.containsKey(d.name())) value = buildArgs.get(d.name());
            else if (d.defaultValue() != null) value = x.word(d.defaultValue());
            else if (plan.globalArgs().containsKey(d.name())) value = plan.globalArgs().get(d.name());
            if (value != null) variables.put(d.name(), value);
            if (value == null) args.putNull(d.name());
            else args.put(d.name(), value);
            text.add(value == null ? d.name() : d.name() + "=" + value);
        }
        return new Step.Config(a, entry(a, "ARG " + String.join(" ", text), args, true));
    }

    private Step env(Instruction.Env e, Expansion x) throws ParseException {
        ObjectNode args = NODES.objectNode();
        List<String> text = new ArrayList<>();
        for (KeyValue kv : ConfigState.expand(e.pairs(), x)) {
            config = config.withEnv(kv.key(), kv.value());
            variables.put(kv.key(), kv.value());
            args.put(kv.key(), kv.value());
            text.add(kv.key() + "=" + kv.value());
        }
        return new Step.Config(e, entry(e, "ENV " + String.join(" ", text), args, true));
    }

    private Step label(Instruction.Label l, Expansion x) throws ParseException {
        ObjectNode args = NODES.objectNode();
        List<String> text = new ArrayList<>();
        for (KeyValue kv : ConfigState.expand(l.pairs(), x)) {
            config = config.withLabel(kv.key(), kv.value());
            args.put(kv.key(), kv.value());
            text.add(kv.key() + "=" + kv.value());
        }
        return new Step.Config(l, entry(l, "LABEL " + String.join(" ", text), args, true));
    }

    private Step run(Instruction.Run r, Expansion x) throws ParseException {
        List<String> shell = config.shellOrDefault();
        InlineFile script = null;
        List<String> argv;
        if (!r.heredocs().isEmpty() && r.command() instanceof CommandLine.Shell s) {
            Heredoc whole = DockerfileParser.heredocWord(s.script());
            if (whole != null) {
                Heredoc doc = r.heredocs().getFirst();
                String body = doc.body();
                if (body.startsWith("#!")) {
                    String path = SCRIPT_DIR + "/" + doc.name();
                    script = new InlineFile(doc.name(), body, 0755, path);
                    argv = new CommandLine.Shell(path).argv(shell);
                } else {
                    argv = new CommandLine.Shell(body).argv(shell);
                }
            } else {
                StringBuilder b = new StringBuilder(s.script());
                for (Heredoc d : r.heredocs()) b.append('\n').append(d.content()).append(d.name());
                argv = new CommandLine.Shell(b.toString()).argv(shell);
            }
        } else {
            argv = r.command().argv(shell);
        }

        List<Step.Mount> mounts = new ArrayList<>();
        for (String raw : r.mounts()) {
            RunMount m;
            try {
                m = RunMount.parse(raw, x::word);
            } catch (ParseException e) {
                throw e.location() != null ? e : x.error(e.detail());
            }
            CopyFrom from = m.from() == null || m.from().isEmpty() ? new CopyFrom.Context()
                    : BuildPlan.resolveFrom(plan.dockerfile(), m.from(), stage.index(), r.source());
            mounts.add(new Step.Mount(m, from));
        }

        Map<String, String> env = new LinkedHashMap<>(variables);
        plan.options().buildArgs().forEach((k, v) -> {
            if (BuildPlan.isProxy(k)) env.putIfAbsent(k, v);
        });
        env.putIfAbsent("PATH", DEFAULT_PATH);

        ObjectNode args = NODES.objectNode();
        args.put("form", r.command() instanceof CommandLine.Exec ? "exec" : "shell");
        args.set("argv", strings(argv));
        if (!r.mounts().isEmpty()) {
            ArrayNode ms = args.putArray("mounts");
            for (Step.Mount m : mounts) ms.add(mountJson(m.spec()));
        }
        if (r.network() != null) args.put("network", r.network());
        if (r.security() != null) args.put("security", r.security());
        if (!r.heredocs().isEmpty()) args.set("heredocs", strings(r.heredocs().stream().map(Heredoc::name).toList()));
        String createdBy = "RUN " + switch (r.command()) {
            case CommandLine.Shell s -> s.script();
            case CommandLine.Exec e -> json(strings(e.argv()));
        };
        return new Step.Run(r, argv, env, config.workingDirOrRoot(), config.user(), script, mounts, r.network(),
                r.security(), entry(r, createdBy, args, false));
    }

    private List<InlineFile> inline(List<Heredoc> docs, Expansion x) throws ParseException {
        List<InlineFile> out = new ArrayList<>();
        for (Heredoc d : docs) out.add(new InlineFile(d.name(), d.expand() ? x.heredoc(d.body()) : d.body(), 0644, null));
        return out;
    }

    private List<String> words(List<String> raw, Expansion x) throws ParseException {
        List<String> out = new ArrayList<>();
        for (String s : raw) out.add(x.word(s));
        return out;
    }

    private String wordOrNull(String raw, Expansion x) throws ParseException {
        if (raw == null) return null;
        String v = x.word(raw);
        return v.isEmpty() ? null : v;
    }

    private Step copy(Instruction.Copy c, Expansion x) throws ParseException {
        CopyFrom from = BuildPlan.sourceOf(plan.dockerfile(), c, stage.index());
        List<String> sources = words(c.sources(), x);
        List<InlineFile> inline = inline(c.inline(), x);
        String dest = PathNames.destination(config.workingDirOrRoot(), x.word(c.destination()));
        String chown = wordOrNull(c.chown(), x), chmod = wordOrNull(c.chmod(), x);
        ObjectNode args = transferJson(sources, inline, dest, chown, chmod, c.link(), c.excludes());
        if (c.from() != null) args.put("from", c.from());
        if (c.parents()) args.put("parents", true);
        String createdBy = "COPY " + (c.from() == null ? "" : "--from=" + c.from() + " ") + transferText(sources, inline, dest);
        return new Step.Copy(c, from, sources, inline, dest, chown, chmod, c.link(), c.excludes(), c.parents(),
                entry(c, createdBy, args, false));
    }

    private Step add(Instruction.Add a, Expansion x) throws ParseException {
        List<String> sources = words(a.sources(), x);
        List<InlineFile> inline = inline(a.inline(), x);
        String dest = PathNames.destination(config.workingDirOrRoot(), x.word(a.destination()));
        String chown = wordOrNull(a.chown(), x), chmod = wordOrNull(a.chmod(), x);
        String checksum = wordOrNull(a.checksum(), x);
        ObjectNode args = transferJson(sources, inline, dest, chown, chmod, a.link(), a.excludes());
        if (checksum != null) args.put("checksum", checksum);
        if (a.keepGitDir() != null) args.put("keep_git_dir", a.keepGitDir());
        if (a.unpack() != null) args.put("unpack", a.unpack());
        return new Step.Add(a, sources, inline, dest, chown, chmod, a.link(), a.excludes(), checksum, a.keepGitDir(),
                a.unpack(), entry(a, "ADD " + transferText(sources, inline, dest), args, false));
    }

    private static ObjectNode transferJson(List<String> sources, List<InlineFile> inline, String dest, String chown,
            String chmod, boolean link, List<String> excludes) {
        ObjectNode o = NODES.objectNode();
        o.set("sources", strings(sources));
        if (!inline.isEmpty()) o.set("inline", strings(inline.stream().map(InlineFile::name).toList()));
        o.put("destination", dest);
        if (chown != null) o.put("chown", chown);
        if (chmod != null) o.put("chmod", chmod);
        if (link) o.put("link", true);
        if (!excludes.isEmpty()) o.set("excludes", strings(excludes));
        return o;
    }

    private static String transferText(List<String> sources, List<InlineFile> inline, String dest) {
        List<String> parts = new ArrayList<>(sources);
        for (InlineFile f : inline) parts.add("<<" + f.name());
        parts.add(dest);
        return String.join(" ", parts);
    }

    /** History for the instructions whose whole effect is on the config, read off the new config. */
    private HistoryEntry configHistory(Instruction i) {
        ConfigState c = config;
        return switch (i) {
            case Instruction.Cmd x -> entry(i, "CMD " + json(strings(c.cmd())), strings(c.cmd()), true);
            case Instruction.Entrypoint x -> {
                List<String> ep = c.entrypoint() == null ? List.of() : c.entrypoint();
                yield entry(i, "ENTRYPOINT " + json(strings(ep)), strings(ep), true);
            }
            case Instruction.Shell x -> entry(i, "SHELL " + json(strings(c.shell())), strings(c.shell()), true);
            case Instruction.Expose x -> entry(i, "EXPOSE " + String.join(" ", c.exposedPorts()), strings(c.exposedPorts()), true);
            case Instruction.Volume x -> entry(i, "VOLUME " + json(strings(c.volumes())), strings(c.volumes()), true);
            case Instruction.User x -> entry(i, "USER " + c.user(), NODES.textNode(c.user()), true);
            case Instruction.StopSignal x -> entry(i, "STOPSIGNAL " + c.stopSignal(), NODES.textNode(c.stopSignal()), true);
            case Instruction.Maintainer x -> entry(i, "MAINTAINER " + c.author(), NODES.textNode(c.author()), true);
            case Instruction.Onbuild o -> entry(i, "ONBUILD " + o.expression(), NODES.textNode(o.expression()), true);
            case Instruction.Healthcheck h -> {
                ObjectNode hj = ConfigState.healthcheckJson(h.health());
                yield entry(i, "HEALTHCHECK " + healthText(h.health()), hj, true);
            }
            default -> entry(i, i.keyword(), NODES.objectNode(), true);
        };
    }

    private static String healthText(HealthConfig h) {
        if (h.disabled()) return "NONE";
        StringBuilder b = new StringBuilder();
        if (!h.interval().isZero()) b.append("--interval=").append(GoDuration.format(h.interval())).append(' ');
        if (!h.timeout().isZero()) b.append("--timeout=").append(GoDuration.format(h.timeout())).append(' ');
        if (!h.startPeriod().isZero()) b.append("--start-period=").append(GoDuration.format(h.startPeriod())).append(' ');
        if (!h.startInterval().isZero()) b.append("--start-interval=").append(GoDuration.format(h.startInterval())).append(' ');
        if (h.retries() != 0) b.append("--retries=").append(h.retries()).append(' ');
        List<String> test = h.test();
        if (test.getFirst().equals("CMD-SHELL")) return b.append("CMD ").append(test.get(1)).toString();
        return b.append("CMD ").append(json(strings(test.subList(1, test.size())))).toString();
    }

    private static ObjectNode mountJson(RunMount m) {
        ObjectNode o = NODES.objectNode();
        o.put("type", m.type());
        if (m.from() != null) o.put("from", m.from());
        if (m.source() != null) o.put("source", m.source());
        if (m.target() != null) o.put("target", m.target());
        if (m.id() != null) o.put("id", m.id());
        o.put("readonly", m.readOnly());
        return o;
    }

    private static ArrayNode strings(List<String> list) {
        ArrayNode a = NODES.arrayNode();
        if (list != null) list.forEach(a::add);
        return a;
    }

    private static String json(JsonNode node) {
        return JsonTree.string(node);
    }

    private static HistoryEntry entry(Instruction i, String createdBy, JsonNode arguments, boolean emptyLayer) {
        return new HistoryEntry(i.keyword(), createdBy, arguments, emptyLayer);
    }
}
