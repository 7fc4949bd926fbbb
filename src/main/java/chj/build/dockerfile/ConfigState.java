package chj.build.dockerfile;

import chj.json.JsonTree;
import chj.oci.ImageConfig;
import chj.oci.ImageConfigBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The image config fields a Dockerfile changes, as an immutable value; {@link #apply} is Docker's
 * rule for each instruction. Notably: shell forms of CMD and ENTRYPOINT are wrapped in the current
 * SHELL; ENTRYPOINT drops the CMD (inherited or set) unless a CMD was set earlier in this stage, and
 * a CMD after it sets it again; {@code ENTRYPOINT []} removes the entrypoint; WORKDIR is relative to
 * the previous one; ONBUILD triggers are not inherited by a child stage.
 *
 * @param env {@code NAME=value} lines in order
 * @param cmd null when absent
 * @param entrypoint null when absent
 * @param workingDir null when absent (then {@code /})
 * @param shell null when absent (then {@code /bin/sh -c})
 * @param exposedPorts {@code port/proto}, in order of appearance
 * @param healthcheck null when absent
 * @param author MAINTAINER, or null
 * @param cmdSetInStage whether this stage has run a CMD (then a later ENTRYPOINT keeps it)
 */
public record ConfigState(List<String> env, List<String> cmd, List<String> entrypoint, String workingDir,
        String user, Map<String, String> labels, List<String> shell, List<String> exposedPorts, List<String> volumes,
        String stopSignal, HealthConfig healthcheck, List<String> onBuild, String author, boolean cmdSetInStage) {

    /** Docker's shell on Linux. */
    public static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");

    public ConfigState {
        env = List.copyOf(env);
        cmd = cmd == null ? null : List.copyOf(cmd);
        entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        shell = shell == null ? null : List.copyOf(shell);
        exposedPorts = List.copyOf(exposedPorts);
        volumes = List.copyOf(volumes);
        onBuild = List.copyOf(onBuild);
    }

    /** FROM scratch. */
    public static ConfigState empty() {
        return new ConfigState(List.of(), null, null, null, null, Map.of(), null, List.of(), List.of(), null, null,
                List.of(), null, false);
    }

    /** The state an image's config describes (its ONBUILD triggers included, for {@link StageBuild} to run). */
    public static ConfigState of(ImageConfig c) {
        JsonNode config = c.tree().path("config");
        List<String> onBuild = new ArrayList<>();
        if (config.get("OnBuild") instanceof ArrayNode a) a.forEach(n -> onBuild.add(n.asText()));
        return new ConfigState(c.env(), c.cmd(), c.entrypoint(), emptyToNull(c.workingDir()), emptyToNull(c.user()),
                c.labels(), c.shell(), c.exposedPorts(), c.volumes(), emptyToNull(c.stopSignal()),
                healthcheck(config.get("Healthcheck")), onBuild, emptyToNull(c.author()), false);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static HealthConfig healthcheck(JsonNode h) {
        if (!(h instanceof ObjectNode o) || !(o.get("Test") instanceof ArrayNode t) || t.isEmpty()) return null;
        List<String> test = new ArrayList<>();
        t.forEach(n -> test.add(n.asText()));
        return new HealthConfig(test, Duration.ofNanos(o.path("Interval").asLong()),
                Duration.ofNanos(o.path("Timeout").asLong()), Duration.ofNanos(o.path("StartPeriod").asLong()),
                Duration.ofNanos(o.path("StartInterval").asLong()), o.path("Retries").asInt());
    }

    /** The state a new stage starts from when this is its base: triggers consumed, no CMD set yet. */
    public ConfigState forNewStage() {
        return new ConfigState(env, cmd, entrypoint, workingDir, user, labels, shell, exposedPorts, volumes, stopSignal,
                healthcheck, List.of(), author, false);
    }

    /** SHELL, or {@code /bin/sh -c}. */
    public List<String> shellOrDefault() {
        return shell == null || shell.isEmpty() ? DEFAULT_SHELL : shell;
    }

    /** WORKDIR, or {@code /}. */
    public String workingDirOrRoot() {
        return workingDir == null ? "/" : workingDir;
    }

    /** The environment as a map, later entries winning. */
    public Map<String, String> envMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : env) {
            int eq = line.indexOf('=');
            if (eq < 0) m.put(line, "");
            else m.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return m;
    }

    /**
     * What a container runs by default, per Docker's ENTRYPOINT/CMD table: ENTRYPOINT followed by
     * CMD, either may be absent; empty when both are.
     */
    public List<String> effectiveCommand() {
        List<String> out = new ArrayList<>();
        if (entrypoint != null) out.addAll(entrypoint);
        if (cmd != null) out.addAll(cmd);
        return List.copyOf(out);
    }

    /** This state with {@code name=value} set (replacing an earlier value in place). */
    public ConfigState withEnv(String name, String value) {
        List<String> e = new ArrayList<>(env);
        String line = name + "=" + value;
        boolean replaced = false;
        for (int i = 0; i < e.size() && !replaced; i++) {
            String old = e.get(i);
            int eq = old.indexOf('=');
            if ((eq < 0 ? old : old.substring(0, eq)).equals(name)) {
                e.set(i, line);
                replaced = true;
            }
        }
        if (!replaced) e.add(line);
        return new ConfigState(e, cmd, entrypoint, workingDir, user, labels, shell, exposedPorts, volumes, stopSignal,
                healthcheck, onBuild, author, cmdSetInStage);
    }

    /** This state with label {@code key} set. */
    public ConfigState withLabel(String key, String value) {
        Map<String, String> l = new LinkedHashMap<>(labels);
        l.put(key, value);
        return new ConfigState(env, cmd, entrypoint, workingDir, user, l, shell, exposedPorts, volumes, stopSignal,
                healthcheck, onBuild, author, cmdSetInStage);
    }

    /**
     * The state after {@code instruction}. Instructions without a config effect (RUN, COPY, ADD, ARG,
     * FROM) leave it unchanged.
     *
     * @param x substitution with the variables in scope before the instruction
     * @throws ParseException for a value that does not expand or is not valid (port, signal, volume)
     */
    public ConfigState apply(Instruction instruction, Expansion x) throws ParseException {
        Builder b = new Builder(this);
        switch (instruction) {
            case Instruction.Env e -> {
                ConfigState s = this;
                for (KeyValue kv : expand(e.pairs(), x)) s = s.withEnv(kv.key(), kv.value());
                return s;
            }
            case Instruction.Label l -> {
                ConfigState s = this;
                for (KeyValue kv : expand(l.pairs(), x)) s = s.withLabel(kv.key(), kv.value());
                return s;
            }
            case Instruction.Workdir w -> b.workingDir = PathNames.resolve(workingDir, x.word(w.path()));
            case Instruction.User u -> b.user = x.word(u.user());
            case Instruction.Expose e -> {
                for (String raw : e.ports()) {
                    for (String word : x.words(raw)) {
                        List<String> ports;
                        try {
                            ports = Ports.parse(word);
                        } catch (ParseException bad) {
                            throw x.error(bad.detail());
                        }
                        for (String p : ports) if (!b.exposedPorts.contains(p)) b.exposedPorts.add(p);
                    }
                }
            }
            case Instruction.Volume v -> {
                for (String raw : v.paths()) {
                    String p = x.word(raw);
                    if (p.isEmpty()) throw x.error("VOLUME specified can not be an empty string");
                    if (!b.volumes.contains(p)) b.volumes.add(p);
                }
            }
            case Instruction.StopSignal s -> {
                String sig = x.word(s.signal());
                if (!Signals.valid(sig)) throw x.error("invalid signal: " + sig);
                b.stopSignal = sig;
            }
            case Instruction.Cmd c -> {
                b.cmd = c.command().argv(shellOrDefault());
                b.cmdSetInStage = true;
            }
            case Instruction.Entrypoint e -> {
                List<String> argv = e.command().argv(shellOrDefault());
                b.entrypoint = argv.isEmpty() ? null : argv;
                if (!cmdSetInStage) b.cmd = null;
            }
            case Instruction.Shell s -> b.shell = s.argv();
            case Instruction.Healthcheck h -> b.healthcheck = h.health();
            case Instruction.Onbuild o -> b.onBuild.add(o.expression());
            case Instruction.Maintainer m -> b.author = m.name();
            case Instruction.From f -> {}
            case Instruction.Run r -> {}
            case Instruction.Copy c -> {}
            case Instruction.Add a -> {}
            case Instruction.Arg a -> {}
        }
        return b.build();
    }

    /** ENV and LABEL pairs with keys and values substituted, all against the variables before the instruction. */
    static List<KeyValue> expand(List<KeyValue> pairs, Expansion x) throws ParseException {
        List<KeyValue> out = new ArrayList<>();
        for (KeyValue kv : pairs) out.add(new KeyValue(x.word(kv.key()), x.word(kv.value()), kv.legacy()));
        return out;
    }

    /**
     * Writes these fields into a config (normally a builder started from the base image's config),
     * replacing what the base had for them.
     */
    public ImageConfigBuilder writeTo(ImageConfigBuilder b) {
        b.env(env).cmd(cmd).entrypoint(entrypoint).shell(shell).workingDir(workingDir).user(user)
                .stopSignal(stopSignal).author(author);
        ObjectNode l = JsonTree.object();
        labels.forEach(l::put);
        b.configField("Labels", labels.isEmpty() ? null : l);
        b.configField("Volumes", keySet(volumes));
        b.configField("ExposedPorts", keySet(exposedPorts));
        b.configField("Healthcheck", healthcheck == null ? null : healthcheckJson(healthcheck));
        ArrayNode ob = JsonTree.array();
        onBuild.forEach(ob::add);
        b.configField("OnBuild", onBuild.isEmpty() ? null : ob);
        return b;
    }

    private static ObjectNode keySet(List<String> keys) {
        if (keys.isEmpty()) return null;
        ObjectNode o = JsonTree.object();
        keys.forEach(k -> o.putObject(k));
        return o;
    }

    /** Docker's {@code Healthcheck} object: durations in nanoseconds, zero fields left out. */
    static ObjectNode healthcheckJson(HealthConfig h) {
        ObjectNode o = JsonTree.object();
        ArrayNode t = o.putArray("Test");
        h.test().forEach(t::add);
        if (!h.interval().isZero()) o.put("Interval", h.interval().toNanos());
        if (!h.timeout().isZero()) o.put("Timeout", h.timeout().toNanos());
        if (!h.startPeriod().isZero()) o.put("StartPeriod", h.startPeriod().toNanos());
        if (!h.startInterval().isZero()) o.put("StartInterval", h.startInterval().toNanos());
        if (h.retries() != 0) o.put("Retries", h.retries());
        return o;
    }

    /** A mutable copy for {@link #apply}. */
    private static final class Builder {
        List<String> cmd, entrypoint, shell;
        String workingDir, user, stopSignal, author;
        final Map<String, String> labels;
        final List<String> exposedPorts, volumes, onBuild;
        HealthConfig healthcheck;
        boolean cmdSetInStage;
        private final List<String> env;

        Builder(ConfigState s) {
            env = s.env;
            cmd = s.cmd;
            entrypoint = s.entrypoint;
            shell = s.shell;
            workingDir = s.workingDir;
            user = s.user;
            stopSignal = s.stopSignal;
            author = s.author;
            labels = new LinkedHashMap<>(s.labels);
            exposedPorts = new ArrayList<>(s.exposedPorts);
            volumes = new ArrayList<>(s.volumes);
            onBuild = new ArrayList<>(s.onBuild);
            healthcheck = s.healthcheck;
            cmdSetInStage = s.cmdSetInStage;
        }

        ConfigState build() {
            return new ConfigState(env, cmd, entrypoint, workingDir, user, labels, shell, exposedPorts, volumes,
                    stopSignal, healthcheck, onBuild, author, cmdSetInStage);
        }
    }
}
