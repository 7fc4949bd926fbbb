package chj.oci;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An image reference, with Charliecloud's grammar: {@code [host[:port]/][path/]name[:tag|@sha256:hex]}.
 *
 * <p>The fields keep what the user wrote (that is the image's name in the store); {@link #registryHost()},
 * {@link #registryPort()} and {@link #repository()} add the defaults used to talk to a registry:
 * Docker Hub ({@code registry-1.docker.io:443}) with its {@code library/} prefix, or
 * {@code CH_REGY_DEFAULT_HOST}, {@code CH_REGY_DEFAULT_PORT} and {@code CH_REGY_PATH_PREFIX}.
 */
public final class Reference {

    public static final String DOCKER_HUB = "registry-1.docker.io";
    public static final int DEFAULT_PORT = 443;

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    private final String host;        // null: default registry
    private final int port;           // -1: default port
    private final List<String> path;  // components before the name; may be empty
    private final String name;
    private final String tag;         // null when absent
    private final Digest digest;      // null when absent
    private final Map<String, String> env;

    private Reference(String host, int port, List<String> path, String name, String tag, Digest digest,
                      Map<String, String> env) {
        this.host = host;
        this.port = port;
        this.path = List.copyOf(path);
        this.name = name;
        this.tag = tag;
        this.digest = digest;
        this.env = env;
    }

    /** Parses with the process environment supplying the registry defaults. */
    public static Reference parse(String text) {
        return parse(text, System.getenv());
    }

    /**
     * Parses {@code text}; {@code %} and {@code +} (the store's spellings of {@code /} and {@code :})
     * are accepted. Throws IllegalArgumentException with a message naming the reference and the fault.
     */
    public static Reference parse(String text, Map<String, String> env) {
        if (text == null || text.isEmpty()) throw bad(text, "empty");
        String s = text.replace('%', '/').replace('+', ':');
        if (s.contains("$")) throw bad(text, "unresolved variable");

        Digest digest = null;
        int at = s.indexOf('@');
        if (at >= 0) {
            String d = s.substring(at + 1);
            s = s.substring(0, at);
            try {
                digest = Digest.parse(d);
            } catch (IllegalArgumentException e) {
                throw bad(text, "invalid digest '" + d + "'");
            }
            if (!digest.algorithm().equals("sha256")) throw bad(text, "only sha256 digests are supported");
        }

        List<String> parts = new ArrayList<>(List.of(s.split("/", -1)));
        String host = null;
        int port = -1;
        if (parts.size() > 1) {
            // The first component is a host only if it looks like one: a dot or a port (Charliecloud's rule;
            // so "localhost/foo" is a path, as there).
            String first = parts.getFirst();
            int colon = first.indexOf(':');
            String h = colon >= 0 ? first.substring(0, colon) : first;
            if ((colon >= 0 || h.contains(".")) && HOST.matcher(h).matches()) {
                host = h;
                if (colon >= 0) {
                    String p = first.substring(colon + 1);
                    try {
                        port = Integer.parseInt(p);
                    } catch (NumberFormatException e) {
                        throw bad(text, "invalid port '" + p + "'");
                    }
                    if (port <= 0 || port > 65535) throw bad(text, "invalid port '" + p + "'");
                }
                parts.removeFirst();
            }
        }

        String last = parts.removeLast();
        String tag = null;
        int colon = last.indexOf(':');
        if (colon >= 0) {
            tag = last.substring(colon + 1);
            last = last.substring(0, colon);
            if (!TAG.matcher(tag).matches()) throw bad(text, "invalid tag '" + tag + "'");
        }
        for (String c : parts)
            if (!COMPONENT.matcher(c).matches()) throw bad(text, "invalid path component '" + c + "'");
        if (!COMPONENT.matcher(last).matches()) throw bad(text, "invalid name '" + last + "'");
        return new Reference(host, port, parts, last, tag, digest, env);
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("invalid image reference: " + text + ": " + why);
    }

    /** The host as written, or null. */
    public String host() {
        return host;
    }

    /** The port as written, or -1. */
    public int port() {
        return port;
    }

    public List<String> path() {
        return path;
    }

    public String name() {
        return name;
    }

    /** The tag as written, or null. */
    public String tag() {
        return tag;
    }

    /** The digest as written, or null. */
    public Digest digest() {
        return digest;
    }

    /** The registry host requests go to. */
    public String registryHost() {
        if (host != null) return host;
        String h = env.get("CH_REGY_DEFAULT_HOST");
        return h == null || h.isEmpty() ? DOCKER_HUB : h;
    }

    /** The registry port requests go to. */
    public int registryPort() {
        if (port > 0) return port;
        if (host == null) {
            String p = env.get("CH_REGY_DEFAULT_PORT");
            if (p != null && !p.isEmpty()) {
                try {
                    return Integer.parseInt(p);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("invalid CH_REGY_DEFAULT_PORT: " + p);
                }
            }
        }
        return DEFAULT_PORT;
    }

    /** {@code host:port} as used in URLs (port omitted when it is 443). */
    public String registryAuthority() {
        int p = registryPort();
        return p == DEFAULT_PORT ? registryHost() : registryHost() + ":" + p;
    }

    /** The repository path on the registry, e.g. {@code library/alpine}. */
    public String repository() {
        List<String> full = new ArrayList<>();
        if (host == null) {
            String prefix = env.get("CH_REGY_PATH_PREFIX");
            if (prefix != null && !prefix.isEmpty() && env.get("CH_REGY_DEFAULT_HOST") != null)
                full.addAll(List.of(prefix.split("/")));
        }
        full.addAll(path);
        if (full.isEmpty() && registryHost().equals(DOCKER_HUB)) full.add("library");
        full.add(name);
        return String.join("/", full);
    }

    /** What goes after {@code manifests/}: the digest if given, else the tag, else {@code latest}. */
    public String tagOrDigest() {
        if (digest != null) return digest.toString();
        return tag == null ? "latest" : tag;
    }

    /** The same reference with another tag and no digest. */
    public Reference withTag(String newTag) {
        return new Reference(host, port, path, name, newTag, null, env);
    }

    /** The same reference pinned to a digest. */
    public Reference withDigest(Digest d) {
        return new Reference(host, port, path, name, tag, d, env);
    }

    /** The name in the store: this reference as written, with {@code /} → {@code %} and {@code :} → {@code +}. */
    public String storeName() {
        return toStoreName(toString());
    }

    public static String toStoreName(String ref) {
        return ref.replace('/', '%').replace(':', '+');
    }

    public static String fromStoreName(String storeName) {
        return storeName.replace('%', '/').replace('+', ':');
    }

    /** The reference as written (Charliecloud's str(ref)). */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (host != null) {
            b.append(host);
            if (port > 0) b.append(':').append(port);
            b.append('/');
        }
        for (String p : path) b.append(p).append('/');
        b.append(name);
        if (tag != null) b.append(':').append(tag);
        if (digest != null) b.append('@').append(digest);
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reference r && r.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
