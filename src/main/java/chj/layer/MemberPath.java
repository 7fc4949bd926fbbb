package chj.layer;

/**
 * Tar member names and hard link targets as paths relative to the image root: no leading
 * {@code /} or {@code ./}, no empty, {@code .} or {@code ..} components, no trailing {@code /}.
 * The empty string is the root itself.
 */
final class MemberPath {

    private MemberPath() {}

    /** The relative path a name stands for, or null when its {@code ..} components climb above the root. */
    static String normalize(String name) {
        if (isClean(name)) return name;
        String[] parts = name.split("/");
        String[] kept = new String[parts.length];
        int depth = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (depth == 0) return null;
                depth--;
            } else {
                kept[depth++] = part;
            }
        }
        return String.join("/", java.util.Arrays.asList(kept).subList(0, depth));
    }

    /** Fast path for the usual name: no leading or trailing slash, no empty, "." or ".." component. */
    private static boolean isClean(String name) {
        int n = name.length();
        if (n == 0 || name.charAt(0) == '/' || name.charAt(n - 1) == '/') return false;
        int start = 0;
        for (int i = 0; i <= n; i++) {
            if (i == n || name.charAt(i) == '/') {
                int len = i - start;
                if (len == 0) return false;
                if (name.charAt(start) == '.' && (len == 1 || (len == 2 && name.charAt(start + 1) == '.'))) return false;
                start = i + 1;
            }
        }
        return true;
    }

    /** The parent of a relative path; the root ("") for a top-level name. */
    static String parent(String rel) {
        int slash = rel.lastIndexOf('/');
        return slash < 0 ? "" : rel.substring(0, slash);
    }

    /** The last component of a relative path. */
    static String baseName(String rel) {
        return rel.substring(rel.lastIndexOf('/') + 1);
    }

    /** {@code dir/name}, or {@code name} in the root. */
    static String join(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    /** Whether {@code rel} is {@code ancestor} or lies below it. */
    static boolean isWithin(String rel, String ancestor) {
        return ancestor.isEmpty() || rel.equals(ancestor)
                || (rel.startsWith(ancestor) && rel.charAt(ancestor.length()) == '/');
    }

    /**
     * The AUFS metadata directory ({@code .wh..wh.plnk} and the like) that {@code rel} lies in, or
     * null. Old images keep hard link targets there; it is written like any directory so the links
     * resolve, and removed when the layer ends.
     */
    static String aufsMetadataDir(String rel) {
        if (!rel.contains(".wh..wh.")) return null;
        int start = 0;
        for (int slash = rel.indexOf('/'); slash >= 0; slash = rel.indexOf('/', start)) {
            if (rel.startsWith(".wh..wh.", start)) return rel.substring(0, slash);
            start = slash + 1;
        }
        return null;
    }
}
