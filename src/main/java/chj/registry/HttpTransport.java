package chj.registry;

import chj.Causes;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Single HTTP exchanges: no retries, no redirects, no authentication (those are
 * {@link RequestExecutor}'s). Decides per registry whether to speak HTTPS or plain HTTP, and logs
 * every exchange with secrets redacted.
 *
 * <p>HTTP/1.1 on purpose: parallel layer and Range-part downloads then use separate TCP connections,
 * which is what gets past per-connection throughput limits on long, fat links.
 */
final class HttpTransport {

    /** How long a registry that may speak plain HTTP gets to answer a TLS handshake. */
    static final Duration PROBE_ANSWER = Duration.ofSeconds(3);

    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127(\\.\\d{1,3}){3}");

    private final RegistryOptions options;
    private final RegistryLog log;
    private final HttpClient client;
    private final Map<String, String> schemes = new ConcurrentHashMap<>();
    private final Map<String, Object> probeLocks = new ConcurrentHashMap<>();

    HttpTransport(RegistryOptions options) {
        this.options = options;
        this.log = options.log();
        this.client = newClient(options.tlsVerify() ? defaultTls() : trustAll());
    }

    private HttpClient newClient(SSLContext tls) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(options.connectTimeout())
                .sslContext(tls);
        if (!options.tlsVerify()) {
            SSLParameters p = new SSLParameters();
            p.setEndpointIdentificationAlgorithm(null); // --tls-no-verify also means any host name
            b.sslParameters(p);
        }
        if (options.proxy() != null) b.proxy(options.proxy());
        return b.build();
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        return h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1")
                || h.equals("0:0:0:0:0:0:0:1") || IPV4_LOOPBACK.matcher(h).matches();
    }

    /** Loopback hosts and those the user named insecure may be spoken to in plain HTTP. */
    boolean plainHttpAllowed(String authority) {
        String a = authority.toLowerCase(Locale.ROOT);
        String host = a.startsWith("[") ? a.substring(0, a.indexOf(']') + 1)
                : (a.lastIndexOf(':') >= 0 ? a.substring(0, a.lastIndexOf(':')) : a);
        return isLoopback(host) || options.insecureRegistries().contains(a)
                || options.insecureRegistries().contains(host);
    }

    /**
     * "https" or "http" for a registry. HTTPS always, except for registries that may be spoken to in
     * plain HTTP: those get one probe (a request over TLS with the client's own settings; a
     * certificate it refuses still means TLS) and plain HTTP only if the peer does not speak TLS at
     * all. The answer is remembered for the process.
     */
    String scheme(String authority) throws IOException {
        String known = schemes.get(authority);
        if (known != null) return known;
        if (!plainHttpAllowed(authority)) {
            schemes.put(authority, "https");
            return "https";
        }
        synchronized (probeLocks.computeIfAbsent(authority, k -> new Object())) {
            known = schemes.get(authority);
            if (known != null) return known;
            String scheme = probe(authority);
            schemes.put(authority, scheme);
            return scheme;
        }
    }

    private String probe(String authority) throws IOException {
        URI uri = URI.create("https://" + authority + "/v2/");
        // A TLS server answers a handshake at once; a plain-HTTP one either answers it with an
        // error or, like many small servers, waits in silence for a request line that never comes.
        Duration wait = options.connectTimeout().compareTo(PROBE_ANSWER) < 0 ? options.connectTimeout() : PROBE_ANSWER;
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(wait).GET().build();
        try {
            // With the client the requests will use: its connection stays open for them, so the
            // probe costs no handshake of its own.
            client.send(req, HttpResponse.BodyHandlers.discarding());
            log.verbose(authority + " speaks HTTPS");
            return "https";
        } catch (java.net.http.HttpTimeoutException e) {
            // The client's "connect" includes the TLS handshake: tell a silent server from an absent one.
            if (!acceptsConnections(uri.getHost(), uri.getPort())) throw e;
            log.verbose(authority + " does not answer a TLS handshake; using plain HTTP (allowed for loopback and "
                    + "CH_IMAGE_INSECURE_REGISTRIES)");
            return "http";
        } catch (IOException e) {
            if (!Causes.causedBy(e, SSLException.class)) throw e;
            if (Causes.causedBy(e, java.security.cert.CertificateException.class)) {
                // TLS, with a certificate we refuse: the requests say so (and hint at --tls-no-verify)
                log.verbose(authority + " speaks HTTPS, with a certificate that does not verify");
                return "https";
            }
            log.verbose(authority + " does not speak TLS; using plain HTTP (allowed for loopback and "
                    + "CH_IMAGE_INSECURE_REGISTRIES)");
            return "http";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while probing " + authority);
        }
    }

    private boolean acceptsConnections(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new java.net.InetSocketAddress(host, port < 0 ? 443 : port), (int) options.connectTimeout().toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** True if a redirect from {@code from} to {@code to} would drop from HTTPS to plain HTTP where not allowed. */
    boolean downgradeRefused(URI from, URI to) {
        return "https".equalsIgnoreCase(from.getScheme()) && "http".equalsIgnoreCase(to.getScheme())
                && !plainHttpAllowed(to.getRawAuthority());
    }

    /** One exchange. The body is streamed; the caller must close the response. */
    Response send(String method, URI uri, List<String[]> headers, HttpRequest.BodyPublisher body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(options.readTimeout())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
        for (String[] h : headers) b.header(h[0], h[1]);
        HttpRequest req = b.build();
        long start = System.nanoTime();
        if (log.enabled(RegistryLog.Level.TRACE)) {
            log.trace("> " + method + " " + Redact.url(uri));
            for (String[] h : headers) log.trace("> " + h[0] + ": " + Redact.header(h[0], h[1]));
        }
        HttpResponse<java.io.InputStream> resp;
        try {
            resp = client.send(req, TimedBody.handler(options.readTimeout()));
        } catch (IOException e) {
            log.debug(method + " " + Redact.url(uri) + " failed: " + describe(e));
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted: " + method + " " + Redact.url(uri));
        }
        log.debug(method + " " + Redact.url(uri) + " → " + resp.statusCode() + " ("
                + (System.nanoTime() - start) / 1_000_000 + " ms)");
        if (log.enabled(RegistryLog.Level.TRACE))
            resp.headers().map().forEach((name, values) -> {
                for (String v : values) log.trace("< " + name + ": " + Redact.header(name, v));
            });
        return new Response(resp.statusCode(), resp.headers(), uri, resp.body(), null);
    }

    /** Closes idle connections; in-flight requests finish first. */
    void close() {
        client.close();
    }

    /** A one-line description of a transport failure (JDK messages are sometimes null). */
    static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        if (e instanceof java.net.http.HttpTimeoutException || e instanceof java.net.SocketTimeoutException)
            m = "timed out (" + m + ")";
        else if (e instanceof java.net.ConnectException) m = "connection refused or unreachable (" + m + ")";
        else if (Causes.causedBy(e, java.security.cert.CertificateException.class))
            // JDK wording ("PKIX path building failed: ...SunCertPathBuilderException: unable to find
            // valid certification path") says little to a user: name the problem, keep the detail
            m = "TLS certificate not trusted (" + m.replaceAll("[a-z]+(\\.[a-z]+)+\\.[A-Z]\\w*Exception: ", "") + ")";
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static SSLContext defaultTls() {
        try {
            return SSLContext.getDefault();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no default TLS context", e);
        }
    }

    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new TrustEverything()}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS without verification", e);
        }
    }

    /**
     * Accepts every certificate; being an X509ExtendedTrustManager it also skips the host-name check
     * (for --tls-no-verify, and for probing whether a peer speaks TLS at all).
     */
    private static final class TrustEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
