package chj.testing;

import chj.oci.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A comparable summary of a directory tree: each path's type, permission bits after ID flattening
 * (u+rw, directories u+rwx, no setuid/setgid/sticky), content digest and symlink target.
 */
public final class TreeDigest {

    private TreeDigest() {}

    public static Map<String, String> of(Path root, Set<String> exclude) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = root.relativize(p).toString();
                if (rel.isEmpty() || exclude.stream().anyMatch(e -> rel.equals(e) || rel.startsWith(e + "/"))) continue;
                int mode = (int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                String what;
                if (Files.isSymbolicLink(p)) {
                    what = "link " + Files.readSymbolicLink(p);
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    what = "dir " + Integer.toOctalString((mode & 0777) | 0700);
                } else {
                    what = "file " + Integer.toOctalString((mode & 0777) | 0600) + " " + Digest.sha256(Files.readAllBytes(p)).shortHex();
                }
                out.put(rel, what);
            }
        }
        return out;
    }
}
