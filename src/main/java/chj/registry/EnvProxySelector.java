package chj.registry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Proxies from {@code https_proxy}, {@code http_proxy}, {@code all_proxy} (either case) and
 * {@code no_proxy}, as curl and Python's requests read them; HPC compute nodes often reach
 * registries only this way. Loopback is never proxied. Credentials in proxy URLs are not supported.
 */
final class EnvProxySelector extends ProxySelector {

    private final Proxy https;
    private final Proxy http;
    private final List<String> noProxy;

    private EnvProxySelector(Proxy https, Proxy http, List<String> noProxy) {
        this.https = https;
        this.http = http;
        this.noProxy = noProxy;
    }

    /** A selector for {@code env}, or null when no proxy variable is set. */
    static ProxySelector fromEnvironment(Map<String, String> env) {
        Proxy all = parse(get(env, "all_proxy"));
        Proxy https = parse(get(env, "https_proxy"));
        Proxy http = parse(get(env, "http_proxy"));
        if (https == null) https = all;
        if (http == null) http = all;
        if (https == null && http == null) return null;
        List<String> skip = new ArrayList<>();
        String np = get(env, "no_proxy");
        if (np != null)
            for (String s : np.split(",")) {
                String t = s.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) skip.add(t);
            }
        return new EnvProxySelector(https, http, skip);
    }

    private static String get(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isEmpty()) v = env.get(name.toUpperCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v;
    }

    private static Proxy parse(String url) {
        if (url == null) return null;
        String s = url.contains("://") ? url : "http://" + url;
        URI u = URI.create(s);
        if (u.getHost() == null) return null;
        int port = u.getPort() > 0 ? u.getPort() : (s.startsWith("https") ? 443 : 80);
        return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(u.getHost(), port));
    }

    @Override
    public List<Proxy> select(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (bypass(host, uri.getPort())) return List.of(Proxy.NO_PROXY);
        Proxy p = "https".equalsIgnoreCase(uri.getScheme()) ? https : http;
        return List.of(p == null ? Proxy.NO_PROXY : p);
    }

    boolean bypass(String host, int port) {
        if (HttpTransport.isLoopback(host)) return true;
        for (String rule : noProxy) {
            if (rule.equals("*")) return true;
            String r = rule;
            int colon = r.lastIndexOf(':');
            if (colon > 0 && !r.contains("]") && r.indexOf(':') == colon) {
                if (!r.substring(colon + 1).equals(String.valueOf(port))) continue;
                r = r.substring(0, colon);
            }
            if (r.startsWith("*")) r = r.substring(1);
            if (r.startsWith(".")) r = r.substring(1);
            if (host.equals(r) || host.endsWith("." + r)) return true;
        }
        return false;
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        // nothing to fall back to: the request fails and is retried by the client's policy
    }
}
