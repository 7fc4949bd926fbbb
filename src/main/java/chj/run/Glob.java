package chj.run;

import java.util.ArrayList;
import java.util.List;

/**
 * fnmatch(3) with FNM_EXTMATCH and no other flag, as ch-run's --unset-env uses it: {@code *},
 * {@code ?}, bracket expressions, backslash escapes and the ksh patterns {@code ?(..)},
 * {@code *(..)}, {@code +(..)}, {@code @(..)}, {@code !(..)} with {@code |} alternatives.
 * A backtracking matcher over a small pattern tree; variable names are short.
 */
final class Glob {
    private sealed interface Node permits Lit, AnyOne, AnyRun, Bracket, Ext {}
    private record Lit(char c) implements Node {}
    private record AnyOne() implements Node {}
    private record AnyRun() implements Node {}
    private record Bracket(boolean negate, String members) implements Node {}
    private record Ext(char op, List<List<Node>> alts) implements Node {}

    private final List<Node> nodes;

    private Glob(List<Node> nodes) {
        this.nodes = nodes;
    }

    static Glob compile(String pattern) {
        int[] pos = {0};
        return new Glob(sequence(pattern, pos, false));
    }

    boolean matches(String s) {
        return match(nodes, 0, s, 0);
    }

    // ---- parsing ----

    private static List<Node> sequence(String p, int[] pos, boolean inExt) {
        List<Node> out = new ArrayList<>();
        while (pos[0] < p.length()) {
            char c = p.charAt(pos[0]);
            if (inExt && (c == '|' || c == ')')) return out;
            if ("?*+@!".indexOf(c) >= 0 && pos[0] + 1 < p.length() && p.charAt(pos[0] + 1) == '('
                    && closes(p, pos[0] + 1)) {
                pos[0] += 2;
                List<List<Node>> alts = new ArrayList<>();
                while (true) {
                    alts.add(sequence(p, pos, true));
                    char e = p.charAt(pos[0]++);
                    if (e == ')') break;
                }
                out.add(new Ext(c, alts));
                continue;
            }
            pos[0]++;
            switch (c) {
                case '?' -> out.add(new AnyOne());
                case '*' -> out.add(new AnyRun());
                case '\\' -> out.add(new Lit(pos[0] < p.length() ? p.charAt(pos[0]++) : '\\'));
                case '[' -> {
                    int end = bracketEnd(p, pos[0]);
                    if (end < 0) out.add(new Lit('['));
                    else {
                        String body = p.substring(pos[0], end);
                        boolean neg = body.startsWith("!") || body.startsWith("^");
                        out.add(new Bracket(neg, neg ? body.substring(1) : body));
                        pos[0] = end + 1;
                    }
                }
                default -> out.add(new Lit(c));
            }
        }
        return out;
    }

    /** Whether the '(' at open has its ')' (otherwise the characters are literal). */
    private static boolean closes(String p, int open) {
        int depth = 0;
        for (int i = open; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '\\') i++;
            else if (c == '(') depth++;
            else if (c == ')' && --depth == 0) return true;
        }
        return false;
    }

    /** Index of the ']' closing a bracket expression whose body starts at from, or -1. */
    private static int bracketEnd(String p, int from) {
        int i = from;
        if (i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^')) i++;
        if (i < p.length() && p.charAt(i) == ']') i++;           // leading ']' is a member
        for (; i < p.length(); i++) {
            if (p.startsWith("[:", i)) {
                int e = p.indexOf(":]", i + 2);
                if (e > 0) { i = e + 1; continue; }
            }
            if (p.charAt(i) == ']') return i;
        }
        return -1;
    }

    // ---- matching ----

    private static boolean match(List<Node> ns, int ni, String s, int si) {
        while (ni < ns.size()) {
            Node n = ns.get(ni);
            switch (n) {
                case Lit l -> {
                    if (si >= s.length() || s.charAt(si) != l.c()) return false;
                    si++;
                }
                case AnyOne a -> {
                    if (si >= s.length()) return false;
                    si++;
                }
                case Bracket b -> {
                    if (si >= s.length() || inBracket(b, s.charAt(si)) == b.negate()) return false;
                    si++;
                }
                case AnyRun a -> {
                    for (int k = s.length(); k >= si; k--)
                        if (match(ns, ni + 1, s, k)) return true;
                    return false;
                }
                case Ext e -> {
                    return matchExt(e, ns, ni, s, si);
                }
            }
            ni++;
        }
        return si == s.length();
    }

    private static boolean matchExt(Ext e, List<Node> ns, int ni, String s, int si) {
        switch (e.op()) {
            case '@' -> {
                for (int k = si; k <= s.length(); k++)
                    if (anyAlt(e, s.substring(si, k)) && match(ns, ni + 1, s, k)) return true;
                return false;
            }
            case '?' -> {
                if (match(ns, ni + 1, s, si)) return true;
                for (int k = si; k <= s.length(); k++)
                    if (anyAlt(e, s.substring(si, k)) && match(ns, ni + 1, s, k)) return true;
                return false;
            }
            case '!' -> {
                for (int k = si; k <= s.length(); k++)
                    if (!anyAlt(e, s.substring(si, k)) && match(ns, ni + 1, s, k)) return true;
                return false;
            }
            default -> {   // '*' zero or more, '+' one or more
                if (e.op() == '*' && match(ns, ni + 1, s, si)) return true;
                for (int k = si + 1; k <= s.length(); k++) {
                    if (!anyAlt(e, s.substring(si, k))) continue;
                    if (match(ns, ni + 1, s, k)) return true;
                    // one more repetition: the same node again from k, as zero-or-more
                    List<Node> again = new ArrayList<>(ns.subList(ni, ns.size()));
                    again.set(0, new Ext('*', e.alts()));
                    if (match(again, 0, s, k)) return true;
                }
                return false;
            }
        }
    }

    private static boolean anyAlt(Ext e, String sub) {
        for (List<Node> alt : e.alts())
            if (match(alt, 0, sub, 0)) return true;
        return false;
    }

    private static boolean inBracket(Bracket b, char c) {
        String m = b.members();
        for (int i = 0; i < m.length(); i++) {
            if (m.startsWith("[:", i)) {
                int e = m.indexOf(":]", i + 2);
                if (e > 0) {
                    if (inClass(m.substring(i + 2, e), c)) return true;
                    i = e + 1;
                    continue;
                }
            }
            char lo = m.charAt(i);
            if (lo == '\\' && i + 1 < m.length()) lo = m.charAt(++i);
            if (i + 2 < m.length() && m.charAt(i + 1) == '-') {
                char hi = m.charAt(i + 2);
                if (c >= lo && c <= hi) return true;
                i += 2;
            } else if (c == lo) {
                return true;
            }
        }
        return false;
    }

    private static boolean inClass(String cls, char c) {
        return switch (cls) {
            case "alpha" -> c < 128 && Character.isLetter(c);
            case "digit" -> c >= '0' && c <= '9';
            case "alnum" -> c < 128 && Character.isLetterOrDigit(c);
            case "upper" -> c >= 'A' && c <= 'Z';
            case "lower" -> c >= 'a' && c <= 'z';
            case "space" -> c == ' ' || (c >= '\t' && c <= '\r');
            case "xdigit" -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            case "punct" -> c > 32 && c < 127 && !Character.isLetterOrDigit(c);
            default -> false;
        };
    }
}
