package chj.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * State ids: SHA-256 over the parent's id and what the instruction was given. Unlike Charliecloud,
 * which hashes only the stat data of COPY sources (a file changed with the same size and mtime is a
 * stale hit there), the content of every file copied is hashed, with its name, type, permission
 * bits and link target: the key changes exactly when what the copy writes changes. Times are left
 * out on purpose, so a fresh checkout of the same context hits.
 */
public final class CacheKey {

    private final MessageDigest md;
    /** One read buffer for all files of a key: a fresh 64 KiB array per file was most of a hit's hashing time. */
    private byte[] buf;

    private CacheKey(String parent) {
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        text("parent", parent == null ? "" : parent);
    }

    /** A key for the state after one instruction on top of {@code parent} (null for a stage's root). */
    public static CacheKey child(String parent) {
        return new CacheKey(parent);
    }

    /** A labelled string; labels and lengths keep different fields from running into each other. */
    public CacheKey text(String label, String value) {
        bytes(label);
        bytes(value == null ? "\0null" : value);
        return this;
    }

    /** The variables in effect, in order. */
    public CacheKey variables(Map<String, String> vars) {
        text("vars", Integer.toString(vars.size()));
        vars.forEach((k, v) -> text(k, v));
        return this;
    }

    /** The content of a file or tree (recursively, in name order, without following symlinks). */
    public CacheKey tree(String label, Path p) throws IOException {
        text("tree", label);
        walk(p, "");
        return this;
    }

    private void walk(Path p, String rel) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        int mode = (int) a.get("mode");
        text(rel, Integer.toOctalString(mode));
        switch (mode & 0170000) {
            case 0120000 -> text("->", Files.readSymbolicLink(p).toString());
            case 0100000 -> {
                if (buf == null) buf = new byte[1 << 16];
                long n = 0;
                try (InputStream in = Files.newInputStream(p)) {
                    for (int r; (r = in.read(buf)) > 0; n += r) md.update(buf, 0, r);
                }
                text("size", Long.toString(n));
            }
            case 0040000 -> {
                List<String> names = new ArrayList<>();
                try (DirectoryStream<Path> s = Files.newDirectoryStream(p)) {
                    for (Path c : s) names.add(c.getFileName().toString());
                }
                names.sort(null);
                for (String n : names) walk(p.resolve(n), rel.isEmpty() ? n : rel + "/" + n);
                text("end", rel);
            }
            default -> { /* devices, fifos: mode says it */ }
        }
    }

    private void bytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int n = b.length;
        md.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        md.update(b);
    }

    /** The id, 64 hex digits. */
    public String id() {
        return HexFormat.of().formatHex(md.digest());
    }
}
