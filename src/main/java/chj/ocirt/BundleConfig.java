package chj.ocirt;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A bundle's {@code config.json} (runtime-spec config.md), read into the parts that decide how
 * ch-run runs the container. Fields chj does not act on are kept by name in {@code ignored} lists,
 * so that {@link LaunchPlan} can say, one debug line each, what it leaves out. JSON {@code null}
 * counts as absent. Errors name the field: {@code config.json: process.args[2]: expected a string}.
 */
record BundleConfig(String ociVersion, Process process, Root root, String hostname, List<Mount> mounts,
                    boolean hooks, Map<String, String> annotations, Linux linux, List<String> ignored) {

    record Process(boolean terminal, List<String> args, List<String> env, String cwd, User user,
                   List<String> rlimits, List<String> ignored) {}

    record User(long uid, long gid, List<Long> additionalGids, Integer umask) {}

    record Root(String path, boolean readonly) {}

    record Mount(String destination, String type, String source, List<String> options) {
        boolean isBind() {
            return "bind".equals(type) || options.contains("bind") || options.contains("rbind");
        }
    }

    record Namespace(String type, String path) {}

    record Linux(List<Namespace> namespaces, boolean uidMappings, boolean gidMappings, List<String> ignored) {}

    private static final String WHERE = "config.json";
    private static final Set<String> TOP = Set.of("ociVersion", "process", "root", "hostname", "mounts", "hooks",
            "annotations", "linux");
    private static final Set<String> PROCESS = Set.of("terminal", "args", "env", "cwd", "user", "rlimits");

    static BundleConfig parse(byte[] json) throws OciRuntimeException {
        Object tree;
        try {
            tree = Json.parse(json);
        } catch (JsonProcessingException e) {
            throw new OciRuntimeException(WHERE + ": invalid JSON: " + e.getOriginalMessage());
        }
        if (!(tree instanceof Map<?, ?> top)) throw new OciRuntimeException(WHERE + ": expected a JSON object");
        String version = string(top, "ociVersion", "");
        if (version == null) throw new OciRuntimeException(WHERE + ": ociVersion missing");
        return new BundleConfig(version, process(top.get("process")), root(top.get("root")),
                string(top, "hostname", ""), mounts(top.get("mounts")), hooks(top.get("hooks")),
                annotations(top.get("annotations")), linux(top.get("linux")), others(top, TOP, ""));
    }

    private static Process process(Object node) throws OciRuntimeException {
        if (node == null) return null;
        Map<?, ?> p = object(node, "process");
        List<String> rlimits = new ArrayList<>();
        if (p.get("rlimits") != null) {
            List<?> rl = array(p.get("rlimits"), "process.rlimits");
            for (int i = 0; i < rl.size(); i++) {
                String type = string(object(rl.get(i), "process.rlimits[" + i + "]"), "type", "process.rlimits[" + i + "].");
                rlimits.add(type == null ? "rlimits[" + i + "]" : type);
            }
        }
        List<String> args = strings(p.get("args"), "process.args");
        List<String> env = strings(p.get("env"), "process.env");
        return new Process(bool(p, "terminal", "process."), args == null ? List.of() : args,
                env == null ? List.of() : env, string(p, "cwd", "process."), user(p.get("user")), rlimits,
                others(p, PROCESS, "process."));
    }

    private static User user(Object node) throws OciRuntimeException {
        if (node == null) return new User(0, 0, List.of(), null);
        Map<?, ?> u = object(node, "process.user");
        List<Long> extra = new ArrayList<>();
        if (u.get("additionalGids") != null) {
            List<?> g = array(u.get("additionalGids"), "process.user.additionalGids");
            for (int i = 0; i < g.size(); i++) extra.add(id(g.get(i), "process.user.additionalGids[" + i + "]"));
        }
        Integer mask = null;
        if (u.get("umask") != null) {
            long m = id(u.get("umask"), "process.user.umask");
            if (m > 0777) throw new OciRuntimeException(WHERE + ": process.user.umask: not a umask: " + m);
            mask = (int) m;
        }
        return new User(u.get("uid") == null ? 0 : id(u.get("uid"), "process.user.uid"),
                u.get("gid") == null ? 0 : id(u.get("gid"), "process.user.gid"), extra, mask);
    }

    private static Root root(Object node) throws OciRuntimeException {
        if (node == null) return null;
        Map<?, ?> r = object(node, "root");
        String path = string(r, "path", "root.");
        if (path == null || path.isEmpty()) throw new OciRuntimeException(WHERE + ": root.path missing");
        return new Root(path, bool(r, "readonly", "root."));
    }

    private static List<Mount> mounts(Object node) throws OciRuntimeException {
        List<Mount> out = new ArrayList<>();
        if (node == null) return out;
        List<?> ms = array(node, "mounts");
        for (int i = 0; i < ms.size(); i++) {
            String where = "mounts[" + i + "]";
            Map<?, ?> m = object(ms.get(i), where);
            String dst = string(m, "destination", where + ".");
            if (dst == null || dst.isEmpty()) throw new OciRuntimeException(WHERE + ": " + where + ".destination missing");
            List<String> opts = strings(m.get("options"), where + ".options");
            out.add(new Mount(dst, string(m, "type", where + "."), string(m, "source", where + "."),
                    opts == null ? List.of() : opts));
        }
        return out;
    }

    /** Whether any hook is configured: an empty hooks object or empty lists ask for nothing. */
    private static boolean hooks(Object node) throws OciRuntimeException {
        if (node == null) return false;
        for (Object list : object(node, "hooks").values())
            if (list != null && (!(list instanceof List<?> l) || !l.isEmpty())) return true;
        return false;
    }

    private static Map<String, String> annotations(Object node) throws OciRuntimeException {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null) return out;
        for (Map.Entry<?, ?> e : object(node, "annotations").entrySet()) {
            if (!(e.getValue() instanceof String v))
                throw new OciRuntimeException(WHERE + ": annotations." + e.getKey() + ": expected a string");
            out.put(e.getKey().toString(), v);
        }
        return out;
    }

    private static Linux linux(Object node) throws OciRuntimeException {
        if (node == null) return new Linux(List.of(), false, false, List.of());
        Map<?, ?> l = object(node, "linux");
        List<Namespace> nss = new ArrayList<>();
        if (l.get("namespaces") != null) {
            List<?> ns = array(l.get("namespaces"), "linux.namespaces");
            for (int i = 0; i < ns.size(); i++) {
                String where = "linux.namespaces[" + i + "]";
                Map<?, ?> n = object(ns.get(i), where);
                String type = string(n, "type", where + ".");
                if (type == null) throw new OciRuntimeException(WHERE + ": " + where + ".type missing");
                String path = string(n, "path", where + ".");
                nss.add(new Namespace(type, path == null || path.isEmpty() ? null : path));
            }
        }
        return new Linux(nss, l.get("uidMappings") != null, l.get("gidMappings") != null,
                others(l, Set.of("namespaces", "uidMappings", "gidMappings"), "linux."));
    }

    // ---- typed access, errors naming the field (JSON null counts as absent)

    private static Map<?, ?> object(Object n, String where) throws OciRuntimeException {
        if (!(n instanceof Map<?, ?> m)) throw new OciRuntimeException(WHERE + ": " + where + ": expected an object");
        return m;
    }

    private static List<?> array(Object n, String where) throws OciRuntimeException {
        if (!(n instanceof List<?> l)) throw new OciRuntimeException(WHERE + ": " + where + ": expected an array");
        return l;
    }

    private static String string(Map<?, ?> parent, String field, String prefix) throws OciRuntimeException {
        Object n = parent.get(field);
        if (n == null) return null;
        if (!(n instanceof String s)) throw new OciRuntimeException(WHERE + ": " + prefix + field + ": expected a string");
        return s;
    }

    private static boolean bool(Map<?, ?> parent, String field, String prefix) throws OciRuntimeException {
        Object n = parent.get(field);
        if (n == null) return false;
        if (!(n instanceof Boolean b)) throw new OciRuntimeException(WHERE + ": " + prefix + field + ": expected true or false");
        return b;
    }

    /** A uid, gid or mode: a non-negative 32-bit integer. */
    private static long id(Object n, String where) throws OciRuntimeException {
        if (!(n instanceof Long v) || v < 0 || v > 0xffffffffL)
            throw new OciRuntimeException(WHERE + ": " + where + ": expected a non-negative 32-bit integer");
        return v;
    }

    private static List<String> strings(Object n, String where) throws OciRuntimeException {
        if (n == null) return null;
        List<?> l = array(n, where);
        List<String> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            if (!(l.get(i) instanceof String s)) throw new OciRuntimeException(WHERE + ": " + where + "[" + i + "]: expected a string");
            out.add(s);
        }
        return out;
    }

    /** Present fields of {@code o} not in {@code known}, as "prefix" + name. */
    private static List<String> others(Map<?, ?> o, Set<String> known, String prefix) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<?, ?> e : o.entrySet())
            if (!known.contains(e.getKey().toString()) && e.getValue() != null) out.add(prefix + e.getKey());
        return out;
    }
}
