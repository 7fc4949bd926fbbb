package chj.run;

import chj.run.sys.Errno;
import chj.run.sys.ErrnoException;
import chj.run.sys.Sys;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Paths inside an image seen from the host, before pivot_root. A symlink in the image must be
 * followed inside the image, not on the host ({@code /etc/resolv.conf -> /run/...} would otherwise
 * name a host file), and mount points are created the way Charliecloud's mkdirs() does it.
 */
final class ImageTree {
    private ImageTree() {}

    private static final int MAX_LINKS = 40;

    /**
     * Host path of path inside root, following symlinks inside root (absolute ones from root, ".."
     * stops at root, like openat2 RESOLVE_IN_ROOT); null if some component does not exist.
     */
    static String resolve(String root, String path) throws RunException {
        return walk(root, path, false, List.of());
    }

    /**
     * Like resolve(), but creates missing directories; Charliecloud's rules: no absolute symlinks,
     * no escape by "..", nothing created below an earlier bind mount.
     */
    static String mkdirs(String root, String path, List<String> binds) throws RunException {
        return walk(root, path, true, binds);
    }

    private static String walk(String root, String path, boolean create, List<String> binds) throws RunException {
        Deque<String> todo = new ArrayDeque<>();
        push(todo, path);
        String cur = root;
        int links = 0;
        try {
            while (!todo.isEmpty()) {
                String c = todo.pop();
                if (c.isEmpty() || c.equals(".")) continue;
                if (c.equals("..")) {
                    if (cur.equals(root)) {
                        if (create) throw new RunException("can't mkdir: " + root + path + " not subdirectory of " + root);
                        continue;
                    }
                    cur = cur.substring(0, cur.lastIndexOf('/'));
                    continue;
                }
                String next = cur + "/" + c;
                Sys.Stat st = Sys.lstat(next);
                if (st == null) {
                    if (!create) return null;
                    for (String b : binds)
                        if (next.equals(b) || next.startsWith(b + "/"))
                            throw new RunException("can't mkdir: " + next + " under existing bind-mount " + b);
                    try {
                        Sys.mkdir(next, 0755);
                    } catch (ErrnoException e) {
                        throw new RunException("can't mkdir: " + next + ": " + e.reason());
                    }
                    cur = next;
                    continue;
                }
                if (st.isLink()) {
                    if (++links > MAX_LINKS) throw new RunException("can't resolve " + path + ": " + Errno.message(Errno.ELOOP));
                    String target = Sys.readlink(next);
                    if (target.startsWith("/")) {
                        if (create) throw new RunException("can't mkdir: symlink not relative: " + next);
                        cur = root;
                    }
                    push(todo, target);
                    continue;
                }
                if (!todo.isEmpty() && !st.isDir()) {
                    if (create) throw new RunException("can't mkdir: exists but not a directory: " + next);
                    return null;
                }
                cur = next;
            }
        } catch (ErrnoException e) {
            throw new RunException(e.getMessage());
        }
        return cur;
    }

    /** Pushes the components of p so that the first one is popped first. */
    private static void push(Deque<String> todo, String p) {
        int end = p.length();
        while (end > 0) {
            int slash = p.lastIndexOf('/', end - 1);
            todo.push(p.substring(slash + 1, end));
            end = slash < 0 ? 0 : slash;
        }
    }
}
