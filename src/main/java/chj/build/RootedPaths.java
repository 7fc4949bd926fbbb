package chj.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Paths inside an image tree resolved the way the container would see them: symlinks followed,
 * but an absolute target or a {@code ..} never leaves the root. COPY writes through this, so a
 * hostile image or context cannot make the build write outside the tree.
 */
final class RootedPaths {

    private static final int MAX_LINKS = 40;

    private RootedPaths() {}

    /**
     * The host path for absolute image path {@code path}, every existing symlink along it resolved
     * inside {@code root}; components that do not exist are kept as written.
     */
    static Path resolve(Path root, String path) throws IOException {
        Deque<String> todo = new ArrayDeque<>();
        push(todo, path);
        Path at = root;
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (!at.equals(root)) at = at.getParent();
                continue;
            }
            Path next = at.resolve(c);
            if (Files.isSymbolicLink(next)) {
                if (++links > MAX_LINKS) throw new IOException("too many levels of symbolic links: " + path);
                String target = Files.readSymbolicLink(next).toString();
                if (target.startsWith("/")) at = root;
                push(todo, target);
                continue;
            }
            at = next;
        }
        return at;
    }

    private static void push(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) todo.push(parts[i]);
    }

    /** Makes directory {@code path} and its parents inside the image, through its symlinks. */
    static Path mkdirs(Path root, String path) throws IOException {
        Path p = resolve(root, path);
        if (Files.isDirectory(p)) return p;
        Path parent = p.getParent();
        if (parent != null && !parent.equals(root) && p.startsWith(root))
            mkdirs(root, "/" + root.relativize(parent));
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS))
            throw new IOException("not a directory: " + path);
        Files.createDirectory(p);
        return p;
    }
}
