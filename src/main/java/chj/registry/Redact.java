package chj.registry;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/** Keeps secrets out of log lines: Authorization values, cookies, tokens and signatures in URLs. */
final class Redact {

    private Redact() {}

    static final String HIDDEN = "<redacted>";

    private static final Set<String> SECRET_HEADERS =
            Set.of("authorization", "proxy-authorization", "cookie", "set-cookie", "x-registry-auth");

    /** A header value fit for a log: secret headers keep only their scheme (Bearer, Basic). */
    static String header(String name, String value) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals("location") || lower.equals("content-location")) return location(value);
        if (!SECRET_HEADERS.contains(lower)) return value;
        int space = value.indexOf(' ');
        return space > 0 && (name.equalsIgnoreCase("authorization") || name.equalsIgnoreCase("proxy-authorization"))
                ? value.substring(0, space) + " " + HIDDEN
                : HIDDEN;
    }

    /**
     * A URL fit for a log: user info and the values of query parameters that look like credentials
     * (pre-signed blob-storage URLs carry signatures and tokens) are hidden.
     */
    static String url(URI uri) {
        String query = uri.getRawQuery();
        StringBuilder b = new StringBuilder();
        b.append(uri.getScheme()).append("://");
        b.append(uri.getRawUserInfo() == null ? "" : HIDDEN + "@");
        b.append(uri.getRawAuthority() == null ? "" : uri.getRawAuthority().replaceFirst("^.*@", ""));
        b.append(uri.getRawPath() == null ? "" : uri.getRawPath());
        if (query != null) {
            b.append('?');
            String[] parts = query.split("&", -1);
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) b.append('&');
                String p = parts[i];
                int eq = p.indexOf('=');
                String name = eq < 0 ? p : p.substring(0, eq);
                b.append(eq >= 0 && looksSecret(name) ? name + "=" + HIDDEN : p);
            }
        }
        return b.toString();
    }

    private static String location(String value) {
        try {
            URI u = URI.create(value.trim());
            if (u.getScheme() != null && u.getRawAuthority() != null) return url(u);
        } catch (IllegalArgumentException e) {
            // not a URI: fall through
        }
        int q = value.indexOf('?');
        return q < 0 ? value : value.substring(0, q) + "?" + HIDDEN;
    }

    private static boolean looksSecret(String param) {
        String n = param.toLowerCase(Locale.ROOT);
        return n.contains("sig") || n.contains("token") || n.contains("credential") || n.contains("key")
                || n.contains("auth") || n.contains("pass") || n.contains("secret");
    }
}
