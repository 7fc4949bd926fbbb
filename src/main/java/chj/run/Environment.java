package chj.run;

import chj.run.sys.ErrnoException;
import chj.run.sys.Sys;

import java.lang.foreign.MemorySegment;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The command's environment under Charliecloud's rules: the caller's environment passes through
 * (bytes and order kept), HOME is set, PATH gets /bin, TMPDIR goes, then --set-env/--unset-env in
 * command-line order, and last CH_RUNNING, which --unset-env cannot remove.
 */
final class Environment {
    static final String CH_RUNNING = "Weird Al Yankovic";

    /** Name → value, in the caller's order; setting an existing name keeps its place (setenv(3)). */
    private final LinkedHashMap<String, String> vars = new LinkedHashMap<>();

    private Environment() {}

    /** The caller's environment as the C runtime holds it. */
    static Environment ofProcess() {
        return of(Sys.environ());
    }

    static Environment of(String[] entries) {
        Environment e = new Environment();
        for (String kv : entries) {
            int eq = kv.indexOf('=');
            String name = eq < 0 ? kv : kv.substring(0, eq);
            if (!e.vars.containsKey(name)) e.vars.put(name, eq < 0 ? "" : kv.substring(eq + 1));
        }
        return e;
    }

    String get(String name) {
        return vars.get(name);
    }

    void set(String name, String value) {
        vars.put(name, value);
    }

    void unset(String name) {
        vars.remove(name);
    }

    Map<String, String> asMap() {
        return vars;
    }

    /**
     * Applies the rules. home is the container's HOME; images supplies the files --set-env reads
     * from the image.
     */
    void fix(String home, Iterable<Options.EnvOp> ops, ImageFiles images) throws RunException {
        set("HOME", home);
        String path = get("PATH");
        if (path == null) Log.warning("$PATH not set");
        else if (!path.startsWith("/bin") && !path.contains(":/bin")) set("PATH", path + ":/bin");
        unset("TMPDIR");
        for (Options.EnvOp op : ops) {
            switch (op) {
                case Options.SetVar v -> assign(v.assignment(), "--set-env", 0, v.expand());
                case Options.SetFile f -> readFile(hostFile(f.path()), f.path(), f.delim(), f.expand());
                case Options.SetImage i -> readFile(images.read("/ch/environment"), "/ch/environment",
                        i.delim(), i.expand());
                case Options.Unset u -> unsetMatching(u.glob());
            }
        }
        set("CH_RUNNING", CH_RUNNING);
    }

    /** Reads an image file (path inside the image); null if it is absent. */
    interface ImageFiles {
        byte[] read(String path) throws RunException;
    }

    private static byte[] hostFile(String path) throws RunException {
        try {
            return Sys.readFile(path);
        } catch (ErrnoException e) {
            throw new RunException("--set-env: can't read " + path + ": " + e.reason());
        }
    }

    private void readFile(byte[] data, String name, char delim, boolean expand) throws RunException {
        if (data == null) throw new RunException("--set-env: can't read " + name + ": No such file or directory");
        String text = Sys.bytesToString(data, 0, data.length);
        int line = 0, start = 0;
        while (start <= text.length()) {
            int end = text.indexOf(delim, start);
            if (end < 0) end = text.length();
            line++;
            String record = text.substring(start, end);
            if (!record.isEmpty()) assign(record, name, line, expand);
            start = end + 1;
        }
    }

    /** One NAME=VALUE record: split at the first '=', strip one pair of single quotes, expand. */
    private void assign(String record, String where, int line, boolean expand) throws RunException {
        String at = line > 0 ? where + ":" + line : where;
        int eq = record.indexOf('=');
        if (eq < 0) throw new RunException("can't parse variable: no delimiter: " + at);
        if (eq == 0) throw new RunException("can't parse variable: empty name: " + at);
        String name = record.substring(0, eq);
        String value = record.substring(eq + 1);
        if (value.length() >= 2 && value.charAt(0) == '\'' && value.charAt(value.length() - 1) == '\'')
            value = value.substring(1, value.length() - 1);
        if (expand) value = expand(value);
        set(name, value);
    }

    /**
     * Charliecloud's expansion: the value is split on ':', an item "$NAME" becomes NAME's value, and
     * an item whose variable is unset or empty disappears with its colon.
     */
    String expand(String value) {
        StringBuilder out = new StringBuilder();
        boolean first = true;
        int start = 0;
        while (true) {
            int end = value.indexOf(':', start);
            String item = value.substring(start, end < 0 ? value.length() : end);
            if (item.length() > 1 && item.charAt(0) == '$') {
                item = get(item.substring(1));
                if (item != null && item.isEmpty()) item = null;
            }
            if (item != null) {
                if (!first) out.append(':');
                out.append(item);
                first = false;
            }
            if (end < 0) return out.toString();
            start = end + 1;
        }
    }

    private void unsetMatching(String glob) {
        Glob g = Glob.compile(glob);
        for (Iterator<String> it = vars.keySet().iterator(); it.hasNext(); ) {
            String name = it.next();
            if (g.matches(name)) {
                Log.debug("--unset-env: " + name);
                it.remove();
            }
        }
    }

    /** envp for execve(2). */
    MemorySegment toEnvp() {
        MemorySegment[] items = new MemorySegment[vars.size()];
        int i = 0;
        for (Map.Entry<String, String> e : vars.entrySet())
            items[i++] = Sys.cstr(e.getKey() + "=" + e.getValue());
        return Sys.pointerArray(items);
    }
}
