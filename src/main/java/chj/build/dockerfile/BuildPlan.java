package chj.build.dockerfile;

import chj.oci.ImageConfig;
import chj.oci.Platform;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What to build from a parsed Dockerfile: the global ARG values, each stage's base (an image, an
 * earlier stage or scratch) with FROM's variables substituted, which stages the target needs (through
 * FROM, {@code COPY --from} and {@code RUN --mount=from=}), and the check that every
 * {@code --build-arg} is declared by some ARG (an error, as in Charliecloud), predefined ones aside.
 */
public final class BuildPlan {

    /** Build arguments Docker knows without an ARG instruction: proxies reach RUN, the rest only FROM. */
    public static final Set<String> PROXY_ARGS = Set.of("HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY",
            "ALL_PROXY");
    public static final Set<String> PLATFORM_ARGS = Set.of("BUILDPLATFORM", "BUILDOS", "BUILDOSVERSION", "BUILDARCH",
            "BUILDVARIANT", "TARGETPLATFORM", "TARGETOS", "TARGETOSVERSION", "TARGETARCH", "TARGETVARIANT", "TARGETSTAGE");

    /** A stage's base. */
    public sealed interface Base {
        record Scratch() implements Base {}

        record Image(String reference) implements Base {}

        record StageOutput(int index) implements Base {}
    }

    /**
     * A stage with its FROM resolved.
     *
     * @param platform FROM's {@code --platform} after substitution, or null
     * @param dependencies indexes of the earlier stages it needs (base and copy sources)
     * @param imageSources images it copies or mounts from ({@code COPY --from=IMAGE})
     * @param needed whether the target needs it (the rest are skipped)
     */
    public record PlannedStage(Stage stage, Base base, String platform, Set<Integer> dependencies,
            Set<String> imageSources, boolean needed) {

        public PlannedStage {
            dependencies = Collections.unmodifiableSet(new TreeSet<>(dependencies));
            imageSources = Collections.unmodifiableSet(new LinkedHashSet<>(imageSources));
        }

        public int index() {
            return stage.index();
        }

        /** The {@code AS} name, lower case, or null. */
        public String name() {
            return stage.name();
        }
    }

    /**
     * @param buildArgs {@code --build-arg} values in the order given
     * @param target the {@code --target} stage name, or null for the last stage
     * @param buildPlatform the machine building (BUILDPLATFORM & co.)
     * @param targetPlatform the platform built for (TARGETPLATFORM & co.)
     */
    public record Options(Map<String, String> buildArgs, String target, Platform buildPlatform, Platform targetPlatform) {
        public Options {
            buildArgs = Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs));
            if (targetPlatform == null) throw new IllegalArgumentException("targetPlatform is null");
            if (buildPlatform == null) buildPlatform = targetPlatform;
        }
    }

    private final Dockerfile dockerfile;
    private final Options options;
    private final Map<String, String> globalArgs;
    private final List<PlannedStage> stages;
    private final int target;

    private BuildPlan(Dockerfile dockerfile, Options options, Map<String, String> globalArgs, List<PlannedStage> stages,
            int target) {
        this.dockerfile = dockerfile;
        this.options = options;
        this.globalArgs = Collections.unmodifiableMap(globalArgs);
        this.stages = List.copyOf(stages);
        this.target = target;
    }

    /**
     * Plans the build.
     *
     * @throws ParseException for a FROM that does not expand, an unknown {@code --target}, a bad
     *     {@code COPY --from}, or an unconsumed {@code --build-arg}
     */
    public static BuildPlan create(Dockerfile df, Options options) throws ParseException {
        checkBuildArgsConsumed(df, options.buildArgs());
        String targetName = options.target();
        int target = df.stages().size() - 1;
        if (targetName != null) {
            Stage t = df.stage(targetName);
            if (t == null) throw new ParseException("target stage " + Words.quote(targetName) + " could not be found");
            target = t.index();
        }
        Map<String, String> global = globalArgs(df, options, targetName);

        List<Base> bases = new ArrayList<>();
        List<String> platforms = new ArrayList<>();
        List<Set<Integer>> deps = new ArrayList<>();
        List<Set<String>> images = new ArrayList<>();
        for (Stage s : df.stages()) {
            Instruction.From from = s.from();
            Expansion x = new Expansion(df.escape(), global, from.source());
            String image = x.word(from.image());
            if (image.isEmpty()) throw from.source().error("base name (" + from.image() + ") should not be blank");
            String platform = null;
            if (from.platform() != null) {
                platform = x.word(from.platform());
                if (platform.isEmpty()) throw from.source().error("empty platform value from expression " + from.platform());
            }
            Set<Integer> d = new TreeSet<>();
            Set<String> imgs = new LinkedHashSet<>();
            Base base = resolveBase(df, s.index(), image);
            if (base instanceof Base.StageOutput so) d.add(so.index());
            for (Instruction i : s.instructions()) {
                switch (sourceOf(df, i, s.index())) {
                    case CopyFrom.Stage st -> d.add(st.index());
                    case CopyFrom.Image im -> imgs.add(im.reference());
                    case null, default -> {}
                }
                for (CopyFrom m : mountSources(df, i, s.index())) {
                    if (m instanceof CopyFrom.Stage st) d.add(st.index());
                    if (m instanceof CopyFrom.Image im) imgs.add(im.reference());
                }
            }
            bases.add(base);
            platforms.add(platform);
            deps.add(d);
            images.add(imgs);
        }

        Set<Integer> needed = new TreeSet<>();
        Deque<Integer> todo = new ArrayDeque<>(List.of(target));
        while (!todo.isEmpty()) {
            int i = todo.pop();
            if (needed.add(i)) todo.addAll(deps.get(i));
        }
        List<PlannedStage> planned = new ArrayList<>();
        for (Stage s : df.stages()) {
            int i = s.index();
            planned.add(new PlannedStage(s, bases.get(i), platforms.get(i), deps.get(i), images.get(i), needed.contains(i)));
        }
        return new BuildPlan(df, options, global, planned, target);
    }

    private static Base resolveBase(Dockerfile df, int index, String image) {
        if (image.equals("scratch")) return new Base.Scratch();
        for (Stage earlier : df.stages().subList(0, index))
            if (earlier.name() != null && earlier.name().equalsIgnoreCase(image)) return new Base.StageOutput(earlier.index());
        return new Base.Image(image);
    }

    /** Predefined platform ARGs, overridable by --build-arg, then the ARGs before the first FROM. */
    private static Map<String, String> globalArgs(Dockerfile df, Options o, String targetName) throws ParseException {
        Map<String, String> g = new LinkedHashMap<>();
        Platform b = o.buildPlatform(), t = o.targetPlatform();
        g.put("BUILDPLATFORM", format(b));
        g.put("BUILDOS", b.os());
        g.put("BUILDOSVERSION", nullToEmpty(b.osVersion()));
        g.put("BUILDARCH", b.architecture());
        g.put("BUILDVARIANT", nullToEmpty(b.variant()));
        g.put("TARGETPLATFORM", format(t));
        g.put("TARGETOS", t.os());
        g.put("TARGETOSVERSION", nullToEmpty(t.osVersion()));
        g.put("TARGETARCH", t.architecture());
        g.put("TARGETVARIANT", nullToEmpty(t.variant()));
        g.put("TARGETSTAGE", targetName == null ? "default" : targetName);
        for (String k : g.keySet()) if (o.buildArgs().containsKey(k)) g.put(k, o.buildArgs().get(k));
        for (Instruction.Arg arg : df.globalArgs()) {
            for (ArgDefinition d : arg.definitions()) {
                String value = null;
                if (o.buildArgs().containsKey(d.name())) value = o.buildArgs().get(d.name());
                else if (d.defaultValue() != null) value = new Expansion(df.escape(), g, arg.source()).word(d.defaultValue());
                if (value != null) g.put(d.name(), value);
            }
        }
        return g;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** {@code os/arch[/variant]}, as Docker's TARGETPLATFORM. */
    static String format(Platform p) {
        return p.os() + "/" + p.architecture() + (p.variant() == null ? "" : "/" + p.variant());
    }

    /** Every {@code --build-arg} must be declared by an ARG somewhere in the file, or be predefined. */
    private static void checkBuildArgsConsumed(Dockerfile df, Map<String, String> buildArgs) throws ParseException {
        Set<String> declared = new LinkedHashSet<>();
        for (Instruction.Arg a : df.globalArgs()) for (ArgDefinition d : a.definitions()) declared.add(d.name());
        for (Stage s : df.stages()) {
            for (Instruction i : s.instructions()) {
                Instruction inner = i instanceof Instruction.Onbuild o ? o.trigger() : i;
                if (inner instanceof Instruction.Arg a) for (ArgDefinition d : a.definitions()) declared.add(d.name());
            }
        }
        List<String> unused = new ArrayList<>();
        for (String k : buildArgs.keySet()) if (!declared.contains(k) && !isPredefined(k)) unused.add(k);
        if (!unused.isEmpty()) throw new ParseException("--build-arg: not consumed: " + String.join(" ", unused));
    }

    /** Proxy variables (any case), platform ARGs, SOURCE_DATE_EPOCH and BUILDKIT_* settings. */
    public static boolean isPredefined(String name) {
        return isProxy(name) || PLATFORM_ARGS.contains(name) || name.equals("SOURCE_DATE_EPOCH")
                || name.startsWith("BUILDKIT_");
    }

    /** {@code http_proxy} & co. in any case, as Docker matches them. */
    public static boolean isProxy(String name) {
        return PROXY_ARGS.contains(name.toUpperCase(Locale.ROOT));
    }

    /** Where a COPY (or an ONBUILD COPY) in stage {@code stageIndex} takes its files from; null if not a COPY. */
    static CopyFrom sourceOf(Dockerfile df, Instruction i, int stageIndex) throws ParseException {
        if (i instanceof Instruction.Onbuild) return null;
        if (!(i instanceof Instruction.Copy c)) return null;
        if (c.from() == null) return new CopyFrom.Context();
        String unexpanded = new ShellLexer(df.escape()).processWord(c.from(), name -> null);
        if (!unexpanded.equals(c.from()))
            throw c.source().error("variable expansion is not supported for --from, define a new stage with FROM "
                    + "using ARG from global scope as a workaround");
        return resolveFrom(df, c.from(), stageIndex, c.source());
    }

    private static List<CopyFrom> mountSources(Dockerfile df, Instruction i, int stageIndex) throws ParseException {
        if (!(i instanceof Instruction.Run r)) return List.of();
        List<CopyFrom> out = new ArrayList<>();
        for (String m : r.mounts()) {
            String from;
            try {
                from = RunMount.fromOf(m);
            } catch (ParseException e) {
                throw r.source().error(e.detail());
            }
            if (from != null && !from.isEmpty()) out.add(resolveFrom(df, from, stageIndex, r.source()));
        }
        return out;
    }

    /** A stage index, an earlier stage's name (any case), else an image reference. */
    static CopyFrom resolveFrom(Dockerfile df, String from, int stageIndex, Source at) throws ParseException {
        int n;
        try {
            n = Integer.parseInt(from);
        } catch (NumberFormatException notANumber) {
            Stage named = df.stage(from);
            if (named == null) return new CopyFrom.Image(from);
            n = named.index();
        }
        if (n < 0 || n >= df.stages().size()) throw at.error("invalid stage index " + n);
        if (n >= stageIndex)
            throw at.error("cannot copy from stage " + Words.quote(from) + ", it needs to be defined before the current stage");
        return new CopyFrom.Stage(n);
    }

    public Dockerfile dockerfile() {
        return dockerfile;
    }

    public Options options() {
        return options;
    }

    /** Global ARG values (predefined platform ARGs included), usable in FROM and by re-declaring ARGs. */
    public Map<String, String> globalArgs() {
        return globalArgs;
    }

    /** Every stage, in file order, needed or not. */
    public List<PlannedStage> stages() {
        return stages;
    }

    /** The stages to build, in file order (an order in which every dependency comes first). */
    public List<PlannedStage> stagesToBuild() {
        return stages.stream().filter(PlannedStage::needed).toList();
    }

    /** The stage whose result is the image. */
    public PlannedStage target() {
        return stages.get(target);
    }

    /**
     * Starts building {@code stage} on top of its base's config.
     *
     * @param base the base image's (or base stage's) config; null for scratch
     */
    public StageBuild begin(PlannedStage stage, ImageConfig base) throws ParseException {
        return new StageBuild(this, stage, base == null ? ConfigState.empty() : ConfigState.of(base));
    }

    /** As {@link #begin(PlannedStage, ImageConfig)}, from a config state (e.g. an earlier stage's final state). */
    public StageBuild begin(PlannedStage stage, ConfigState base) throws ParseException {
        return new StageBuild(this, stage, base);
    }
}
