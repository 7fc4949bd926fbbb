package chj.build.dockerfile;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shell patterns of {@code ${V#p}}, {@code ${V%p}} and {@code ${V/p/r}}: {@code *} any string,
 * {@code ?} any character, {@code \*}, {@code \?}, {@code \\} literal; {@code \}} and {@code \/} stand
 * for the bare character. No bracket expressions, like Docker.
 */
final class ShellPattern {

    private final Pattern regex;

    private ShellPattern(Pattern regex) {
        this.regex = regex;
    }

    static ShellPattern compile(String pattern) throws ParseException {
        StringBuilder re = new StringBuilder();
        int[] cps = pattern.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else if (c == '\\') {
                if (i + 1 < cps.length && (cps[i + 1] == '}' || cps[i + 1] == '/')) continue;
                if (i + 1 >= cps.length || (cps[i + 1] != '*' && cps[i + 1] != '?' && cps[i + 1] != '\\')) {
                    String bad = i + 1 < cps.length ? Character.toString(cps[i + 1]) : "";
                    throw new ParseException("invalid pattern (" + pattern + ") in substitution: invalid escape '\\" + bad + "'");
                }
                re.append(Pattern.quote(Character.toString(cps[++i])));
            } else {
                re.append(Pattern.quote(Character.toString(c)));
            }
        }
        return new ShellPattern(Pattern.compile(re.toString()));
    }

    private boolean matches(CharSequence s) {
        return regex.matcher(s).matches();
    }

    /** Removes the shortest (or longest) prefix of {@code value} the pattern matches, if any. */
    String removePrefix(String value, boolean longest) {
        int n = value.codePointCount(0, value.length());
        for (int k = 0; k <= n; k++) {
            int cps = longest ? n - k : k;
            int end = value.offsetByCodePoints(0, cps);
            if (matches(value.substring(0, end))) return value.substring(end);
        }
        return value;
    }

    /** Removes the shortest (or longest) suffix of {@code value} the pattern matches, if any. */
    String removeSuffix(String value, boolean longest) {
        int n = value.codePointCount(0, value.length());
        for (int k = 0; k <= n; k++) {
            int cps = longest ? k : n - k;
            int start = value.offsetByCodePoints(0, cps);
            if (matches(value.substring(start))) return value.substring(0, start);
        }
        return value;
    }

    /** Replaces the first (or every) longest leftmost match with {@code replacement}, taken literally. */
    String replace(String value, String replacement, boolean all) {
        Matcher m = regex.matcher(value);
        String literal = Matcher.quoteReplacement(replacement);
        return all ? m.replaceAll(literal) : m.replaceFirst(literal);
    }
}
