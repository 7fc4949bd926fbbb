package chj.layer;

import chj.oci.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A directory tree as text, to compare two unpacks: path → type, mode modulo flattening (owner
 * bits widened as LayerUnpacker widens them, set-id and sticky bits ignored), content digest or
 * link target, and for hard-linked files the other paths sharing the inode.
 */
final class TreeDescription {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private TreeDescription() {}

    static Map<String, String> of(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        Map<Object, List<String>> byInode = new HashMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.equals(root)) continue;
                String rel = root.relativize(p).toString();
                int mode = (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW) & 0777;
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "symlink -> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, NOFOLLOW)) {
                    out.put(rel, "dir " + Integer.toOctalString(mode | 0700));
                } else {
                    out.put(rel, "file " + Integer.toOctalString(mode | 0600) + " " + digest(p));
                    if ((Integer) Files.getAttribute(p, "unix:nlink", NOFOLLOW) > 1)
                        byInode.computeIfAbsent(Files.getAttribute(p, "unix:ino", NOFOLLOW), k -> new ArrayList<>()).add(rel);
                }
            }
        }
        for (List<String> links : byInode.values()) {
            if (links.size() < 2) continue; // linked from outside the tree only
            links.sort(null);
            for (String rel : links) out.put(rel, out.get(rel) + " linked with " + links);
        }
        return out;
    }

    static String digest(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            var md = Digest.newSha256();
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            return Digest.ofSha256(md.digest()).shortHex();
        }
    }
}
