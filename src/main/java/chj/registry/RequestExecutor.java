package chj.registry;

import chj.Causes;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpRequest;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * One logical request to a registry, made robust: authentication (via {@link Authenticator}),
 * redirects followed by hand (Authorization goes only to the registry's own origin, never to blob
 * storage elsewhere; no silent HTTPS→HTTP downgrade), retries with back-off on 5xx, 429 (honouring
 * Retry-After), resets and timeouts, and a cap on requests in flight per registry.
 */
final class RequestExecutor {

    private static final int MAX_REDIRECTS = 10;
    private static final int MAX_AUTH_ROUNDS = 2;

    private final RegistryOptions options;
    private final HttpTransport transport;
    private final Authenticator auth;
    private final RegistryLog log;
    private final Map<String, Semaphore> permits = new ConcurrentHashMap<>();

    /**
     * @param path    absolute path and query on the registry, e.g. {@code /v2/library/alpine/manifests/3.19}
     * @param scope   token scope the request needs, e.g. {@code repository:library/alpine:pull}, or null
     *                (several scopes are separated by spaces)
     * @param url     where to send it instead of {@code path} on the registry (an upload session's
     *                Location, which may be on another host), or null
     * @param body    a fresh copy of the request body for each try (auth rounds, redirects, retries), or null
     */
    record Call(String authority, String repository, String scope, String method, String path, List<String[]> headers,
                URI url, Supplier<HttpRequest.BodyPublisher> body) {

        Call(String authority, String repository, String scope, String method, String path, List<String[]> headers) {
            this(authority, repository, scope, method, path, headers, null, null);
        }
    }

    /** What one try ended with: a response to hand over, or a reason to try again. */
    private sealed interface Outcome permits Done, Again {}

    private record Done(Response response) implements Outcome {}

    private record Again(String why, Duration pause) implements Outcome {}

    RequestExecutor(RegistryOptions options, HttpTransport transport, Authenticator auth) {
        this.options = options;
        this.transport = transport;
        this.auth = auth;
        this.log = options.log();
    }

    HttpTransport transport() {
        return transport;
    }

    RegistryOptions options() {
        return options;
    }

    /**
     * Runs the call to a final response: 2xx, or an error status the caller interprets (404, a 401
     * that authentication could not cure, …). Throws when tries run out or the failure is not
     * transient. The response holds a connection slot until closed.
     */
    Response execute(Call call, Attempts attempts) throws RegistryException {
        String what = call.method() + " " + call.authority() + call.path();
        while (true) {
            Outcome outcome;
            try {
                outcome = tryOnce(call, true);
            } catch (IOException e) {
                if (!transient_(e)) throw unreachable(call, e);
                if (!retry(attempts, what, HttpTransport.describe(e), null)) throw unreachable(call, e);
                continue;
            }
            switch (outcome) {
                case Done d -> {
                    return d.response();
                }
                case Again a -> {
                    if (!retry(attempts, what, a.why(), a.pause()))
                        throw new RegistryException(call.method() + " " + Redact.url(registryUri(call)) + ": " + a.why()
                                + " (gave up after " + attempts.failures() + " tries)",
                                a.why().contains("429") ? "the registry limits request rates; wait, or authenticate (--auth) for a higher limit" : null,
                                null);
                }
            }
        }
    }

    /**
     * One try, for requests that must not be repeated blindly (an upload chunk the registry may have
     * partly stored): authentication rounds and redirects are followed, but any final status comes
     * back, 5xx and 429 included, and a transport failure is thrown for the caller to recover from.
     */
    Response executeOnce(Call call) throws IOException, RegistryException {
        return ((Done) tryOnce(call, false)).response();
    }

    private static boolean retry(Attempts attempts, String what, String why, Duration wait) throws RegistryException {
        try {
            return attempts.retry(what, why, wait);
        } catch (InterruptedIOException e) {
            throw new RegistryException("interrupted: " + what, e);
        }
    }

    private URI registryUri(Call call) {
        if (call.url() != null) return call.url();
        try {
            return URI.create(transport.scheme(call.authority()) + "://" + call.authority() + call.path());
        } catch (IOException e) {
            return URI.create("https://" + call.authority() + call.path());
        }
    }

    private Outcome tryOnce(Call call, boolean retryStatuses) throws IOException, RegistryException {
        String origin = transport.scheme(call.authority()) + "://" + call.authority();
        URI registry = URI.create(origin + "/");
        URI start = call.url() != null ? call.url() : URI.create(origin + call.path());
        Semaphore permit = permits.computeIfAbsent(call.authority(), a -> new Semaphore(options.maxConnectionsPerHost(), true));
        try {
            permit.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a connection to " + call.authority());
        }
        boolean handedOver = false;
        try {
            URI uri = start;
            Authorization next = null;
            int authRounds = 0;
            int redirects = 0;
            while (true) {
                // Our credentials go to the registry's own origin only: not to blob storage a
                // redirect points at, nor to an upload session on another host.
                boolean onRegistry = sameOrigin(uri, registry);
                Authorization a = !onRegistry ? Authorization.ANONYMOUS
                        : next != null ? next : auth.current(call.authority(), call.repository(), call.scope());
                next = null;
                List<String[]> headers = new ArrayList<>(call.headers());
                if (a.header() != null) headers.add(new String[] {"Authorization", a.header()});
                Response r = transport.send(call.method(), uri, headers, call.body() == null ? null : call.body().get());
                int status = r.status();

                if (status == 401 && onRegistry && authRounds < MAX_AUTH_ROUNDS) {
                    Authorization retryWith = auth.onUnauthorized(call.authority(), call.repository(), call.scope(),
                            r.headerValues("WWW-Authenticate"), a);
                    if (retryWith != null) {
                        r.close();
                        authRounds++;
                        next = retryWith;
                        uri = start;
                        continue;
                    }
                }
                String location = r.header("Location");
                if (isRedirect(status) && location != null) {
                    r.close();
                    if (++redirects > MAX_REDIRECTS)
                        throw new RegistryException(call.method() + " " + Redact.url(start) + ": more than "
                                + MAX_REDIRECTS + " redirects");
                    URI target = uri.resolve(location.trim());
                    if (transport.downgradeRefused(uri, target))
                        throw new RegistryException(call.method() + " " + Redact.url(start)
                                + ": refusing redirect from HTTPS to plain HTTP at " + target.getHost());
                    log.verbose("redirected to " + Redact.url(target)
                            + (sameOrigin(target, registry) ? "" : " (without our credentials)"));
                    uri = target;
                    continue;
                }
                if (status == 429 && retryStatuses) {
                    Duration wait = retryAfter(r.header("Retry-After"));
                    r.close();
                    if (wait != null && wait.compareTo(options.retry().maxRetryAfter()) > 0)
                        throw new RegistryException(call.authority() + ": too many requests (429); the registry asks to wait "
                                + wait.toSeconds() + " s", "wait, or authenticate (--auth) for a higher limit", null);
                    return new Again("too many requests (429)", wait);
                }
                if (retryableStatus(status) && retryStatuses) {
                    r.close();
                    return new Again("server error " + status, null);
                }
                r.sentAuthorization = a;
                r.alsoOnClose(permit::release);
                handedOver = true;
                noteRateLimit(call.authority(), r);
                return new Done(r);
            }
        } finally {
            if (!handedOver) permit.release();
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getRawAuthority().equalsIgnoreCase(b.getRawAuthority());
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static boolean retryableStatus(int status) {
        return status == 408 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    /** Transport failures worth another try: resets, timeouts, refused connections; not bad names or certificates. */
    static boolean transient_(IOException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof UnknownHostException || c instanceof UnresolvedAddressException) return false;
            if (c instanceof SSLHandshakeException) return false;
            if (c instanceof InterruptedIOException && !(c instanceof java.net.SocketTimeoutException)
                    && !(c instanceof java.net.http.HttpTimeoutException)) return false;
        }
        return true;
    }

    private RegistryException unreachable(Call call, IOException e) {
        boolean tls = Causes.causedBy(e, SSLHandshakeException.class);
        return new RegistryException(call.method() + " " + Redact.url(registryUri(call)) + ": " + HttpTransport.describe(e),
                tls ? "if the registry's certificate is self-signed, consider --tls-no-verify" : null, e);
    }

    /** Retry-After as delta-seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) return null;
        String v = value.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException e2) {
                return null;
            }
        }
    }

    private final Map<String, Boolean> rateLimitShown = new ConcurrentHashMap<>();

    /** Docker Hub's rate-limit headers become one info line per registry, then verbose lines. */
    private void noteRateLimit(String authority, Response r) {
        String remaining = r.header("RateLimit-Remaining");
        if (remaining == null) return;
        String limit = r.header("RateLimit-Limit");
        String source = r.header("Docker-RateLimit-Source");
        String line = authority + " rate limit: " + firstNumber(remaining) + " of " + firstNumber(limit)
                + " requests left" + (source == null ? "" : " (for " + source + ")");
        if (rateLimitShown.putIfAbsent(authority, Boolean.TRUE) == null) log.info(line);
        else log.verbose(line);
    }

    private static String firstNumber(String v) {
        if (v == null) return "?";
        int semi = v.indexOf(';');
        return (semi < 0 ? v : v.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }
}
