package chj.build.dockerfile;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Docker's rules for where COPY and ADD put things, and its source globs, as pure functions the
 * executor applies to what it finds on disk.
 *
 * <ul>
 *   <li>A destination ending in {@code /} is a directory; so is one that already exists as one.
 *   <li>Several sources (after glob expansion) need a directory destination written with a
 *       trailing {@code /}.
 *   <li>A directory source copies its contents, not itself, into the destination directory.
 *   <li>A file source goes into a directory destination under its own name, else becomes the
 *       destination path.
 * </ul>
 */
public final class CopyRules {

    private CopyRules() {}

    /** Checks the destination against the number of sources the globs matched. */
    public static void checkDestination(String keyword, int sourceCount, String destination, Source at)
            throws ParseException {
        if (sourceCount > 1 && !destination.endsWith("/"))
            throw at.error("When using " + keyword + " with more than one source file, the destination must be a "
                    + "directory and end with a /");
    }

    /**
     * Where one source goes.
     *
     * @param destination the step's absolute destination
     * @param sourceName the source's last path component
     * @param sourceIsDirectory then its contents go into the returned directory
     * @param destinationIsDirectory whether the destination already exists as a directory in the image
     * @return the absolute path the source (or, for a directory, its contents' parent) ends up at
     */
    public static String target(String destination, String sourceName, boolean sourceIsDirectory,
            boolean destinationIsDirectory) {
        String dir = destination.endsWith("/") && destination.length() > 1
                ? destination.substring(0, destination.length() - 1) : destination;
        if (sourceIsDirectory) return dir;
        if (destination.endsWith("/") || destinationIsDirectory) return dir.equals("/") ? "/" + sourceName : dir + "/" + sourceName;
        return destination;
    }

    /** Whether a source contains glob characters ({@code * ? [}). */
    public static boolean isGlob(String source) {
        return source.indexOf('*') >= 0 || source.indexOf('?') >= 0 || source.indexOf('[') >= 0;
    }

    /**
     * A source glob as Go's {@code filepath.Match}, which Docker uses: {@code *} and {@code ?} do not
     * cross {@code /}, {@code [a-z]} and {@code [^a-z]} are classes, {@code \} escapes.
     *
     * @throws ParseException without location for a malformed pattern
     */
    public static Pattern glob(String pattern) throws ParseException {
        StringBuilder re = new StringBuilder();
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> re.append("[^/]*");
                case '?' -> re.append("[^/]");
                case '\\' -> {
                    if (++i >= pattern.length()) throw badPattern(pattern);
                    re.append(Pattern.quote(String.valueOf(pattern.charAt(i))));
                }
                case '[' -> {
                    int end = classEnd(pattern, i);
                    if (end < 0) throw badPattern(pattern);
                    re.append(characterClass(pattern, i + 1, end));
                    i = end;
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
            i++;
        }
        try {
            return Pattern.compile(re.toString());
        } catch (PatternSyntaxException e) {
            throw badPattern(pattern);
        }
    }

    private static int classEnd(String p, int open) {
        int i = open + 1;
        if (i < p.length() && p.charAt(i) == '^') i++;
        boolean first = true;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == ']' && !first) return i;
            if (c == '\\') i++;
            first = false;
            i++;
        }
        return -1;
    }

    private static String characterClass(String p, int from, int end) {
        StringBuilder b = new StringBuilder("[");
        int i = from;
        if (p.charAt(i) == '^') {
            b.append('^');
            i++;
        }
        StringBuilder members = new StringBuilder();
        for (; i < end; i++) {
            char c = p.charAt(i);
            if (c == '\\' && i + 1 < end) c = p.charAt(++i);
            else if (c == '-' && members.length() > 0 && i + 1 < end) {
                members.append('-');
                continue;
            }
            if ("[]\\^-&".indexOf(c) >= 0) members.append('\\');
            members.append(c);
        }
        return b.append(members).append("&&[^/]]").toString();
    }

    private static ParseException badPattern(String pattern) {
        return new ParseException("syntax error in pattern " + Words.quote(pattern));
    }
}
