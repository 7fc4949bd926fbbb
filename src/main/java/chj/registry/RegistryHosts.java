package chj.registry;

import chj.oci.Reference;

import java.util.Locale;
import java.util.Set;

/** Registry host names as credential stores and users spell them, and Docker Hub's aliases. */
final class RegistryHosts {

    private RegistryHosts() {}

    /** Names users and tools write for Docker Hub; requests go to {@link Reference#DOCKER_HUB}. */
    static final Set<String> DOCKER_HUB_ALIASES =
            Set.of("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com");

    /** What Docker's credential stores call Docker Hub. */
    static final String DOCKER_HUB_SERVER_URL = "https://index.docker.io/v1/";

    /**
     * A credential-store key or a request authority reduced to {@code host[:port]}, lower case, with
     * scheme, path and the default port removed and Docker Hub's aliases folded into {@code docker.io}.
     */
    static String canonical(String keyOrAuthority) {
        String s = keyOrAuthority.trim().toLowerCase(Locale.ROOT);
        int scheme = s.indexOf("://");
        if (scheme >= 0) s = s.substring(scheme + 3);
        int slash = s.indexOf('/');
        if (slash >= 0) s = s.substring(0, slash);
        if (s.endsWith(":443")) s = s.substring(0, s.length() - 4);
        return DOCKER_HUB_ALIASES.contains(s) ? "docker.io" : s;
    }

    /** The path part of a containers auth.json key such as {@code quay.io/org/repo}, or "". */
    static String keyPath(String key) {
        String s = key.trim();
        int scheme = s.indexOf("://");
        if (scheme >= 0) return ""; // Docker-style URL keys name whole registries
        int slash = s.indexOf('/');
        return slash < 0 ? "" : s.substring(slash + 1).replaceAll("/+$", "");
    }

    /** The host without port, for ~/.netrc. */
    static String hostOnly(String authority) {
        String c = canonical(authority);
        if (c.startsWith("[")) return c.substring(0, c.indexOf(']') + 1);
        int colon = c.lastIndexOf(':');
        return colon >= 0 ? c.substring(0, colon) : c;
    }

    /** The server URL Docker passes to credential helpers for this registry. */
    static String helperServerUrl(String authority) {
        String c = canonical(authority);
        return c.equals("docker.io") ? DOCKER_HUB_SERVER_URL : c;
    }

    /** The host requests should go to: Docker Hub's aliases answer 403 or redirect, its API host doesn't. */
    static String apiHost(String host) {
        return DOCKER_HUB_ALIASES.contains(host.toLowerCase(Locale.ROOT)) ? Reference.DOCKER_HUB : host;
    }
}
