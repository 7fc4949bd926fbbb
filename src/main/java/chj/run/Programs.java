package chj.run;

import chj.run.sys.ErrnoException;
import chj.run.sys.Sys;

/** Host programs ch-run runs (squashfuse, setpriv, nsenter), found on the caller's PATH. */
final class Programs {
    private Programs() {}

    private static final String FALLBACK_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";

    static String find(String name, Environment env) {
        String path = env.get("PATH");
        String all = (path == null ? "" : path + ":") + FALLBACK_PATH;
        for (String dir : all.split(":")) {
            if (dir.isEmpty()) continue;
            String p = dir + "/" + name;
            try {
                Sys.Stat st = Sys.stat(p);
                if (st != null && st.isFile() && (st.mode() & 0111) != 0) return p;
            } catch (ErrnoException e) {
                // unreadable directory: try the next one
            }
        }
        return null;
    }
}
