package chj.build.dockerfile;

import java.util.ArrayList;
import java.util.List;

/** Slash-separated container paths, cleaned as Go's {@code path.Clean}, which Docker uses. */
final class PathNames {

    private PathNames() {}

    static String clean(String p) {
        if (p.isEmpty()) return ".";
        boolean rooted = p.startsWith("/");
        List<String> parts = new ArrayList<>();
        for (String e : p.split("/")) {
            if (e.isEmpty() || e.equals(".")) continue;
            if (e.equals("..")) {
                if (!parts.isEmpty() && !parts.getLast().equals("..")) parts.removeLast();
                else if (!rooted) parts.add("..");
            } else {
                parts.add(e);
            }
        }
        String joined = String.join("/", parts);
        if (rooted) return "/" + joined;
        return joined.isEmpty() ? "." : joined;
    }

    /** {@code path} made absolute against {@code dir} (which defaults to /) and cleaned. */
    static String resolve(String dir, String path) {
        if (path.startsWith("/")) return clean(path);
        String base = dir == null || dir.isEmpty() ? "/" : dir;
        return clean(base + "/" + path);
    }

    /**
     * A COPY/ADD destination made absolute against the working directory, keeping the trailing slash
     * that marks a directory ({@code .} and the empty path mean the working directory itself).
     */
    static String destination(String workingDir, String dest) {
        String p = dest.equals(".") || dest.isEmpty() ? "./" : dest;
        String out = resolve(workingDir, p);
        if ((p.endsWith("/") || p.endsWith("/.")) && !out.endsWith("/")) out += "/";
        return out;
    }
}
