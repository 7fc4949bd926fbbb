package chj.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One authentication challenge from a {@code WWW-Authenticate} header (RFC 9110 §11.6.1), e.g.
 * {@code Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"}.
 * The scheme is lower-cased; parameter names too; values are unquoted.
 */
public record Challenge(String scheme, Map<String, String> params) {

    public Challenge {
        params = Map.copyOf(params);
    }

    public String param(String name) {
        return params.get(name);
    }

    /** Parses every challenge in the given header values; unparsable bits are skipped, never fatal. */
    public static List<Challenge> parseAll(List<String> headerValues) {
        List<Challenge> out = new ArrayList<>();
        for (String v : headerValues) out.addAll(parse(v));
        return out;
    }

    /** Parses one header value, which may hold several challenges separated by commas. */
    public static List<Challenge> parse(String header) {
        List<Challenge> out = new ArrayList<>();
        Lexer lx = new Lexer(header);
        while (true) {
            lx.skipSeparators();
            if (lx.atEnd()) break;
            String scheme = lx.token();
            if (scheme.isEmpty()) {
                lx.pos++; // stray character: skip it rather than loop
                continue;
            }
            Map<String, String> params = new LinkedHashMap<>();
            while (true) {
                int mark = lx.pos;
                lx.skipSeparators();
                String name = lx.token();
                lx.skipSpaces();
                if (name.isEmpty() || !lx.peek('=')) {
                    lx.pos = mark; // the next challenge's scheme, or the end
                    break;
                }
                lx.pos++; // '='
                if (lx.peek('=')) { // token68 (e.g. "Negotiate abc=="): keep it whole
                    while (lx.peek('=')) lx.pos++;
                    params.put("", name);
                    continue;
                }
                lx.skipSpaces();
                String value = lx.peek('"') ? lx.quoted() : lx.token();
                params.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
            }
            out.add(new Challenge(scheme.toLowerCase(Locale.ROOT), params));
        }
        return out;
    }

    private static final class Lexer {
        final String s;
        int pos;

        Lexer(String s) {
            this.s = s == null ? "" : s;
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        boolean peek(char c) {
            return pos < s.length() && s.charAt(pos) == c;
        }

        void skipSpaces() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) pos++;
        }

        void skipSeparators() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t' || s.charAt(pos) == ',')) pos++;
        }

        /** An RFC 9110 token (plus '/' and ':' that some registries leave unquoted in scopes). */
        String token() {
            int start = pos;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c <= ' ' || c == ',' || c == '=' || c == '"' || c == ';') break;
                pos++;
            }
            return s.substring(start, pos);
        }

        String quoted() {
            StringBuilder b = new StringBuilder();
            pos++; // opening quote
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == '"') return b.toString();
                if (c == '\\' && pos < s.length()) c = s.charAt(pos++);
                b.append(c);
            }
            return b.toString(); // unterminated: take what is there
        }
    }
}
