package chj.registry;

import chj.json.JsonTree;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The authentication state machine, per registry. Requests start anonymous; a 401 teaches us the
 * registry's scheme. Bearer: a token from the challenge's realm (with HTTP Basic credentials if we
 * have any, else anonymous; OAuth2 POST for identity tokens), cached per scope until shortly before
 * it expires, and fetched up front for later requests. Basic: credentials on every request.
 * Thread-safe; concurrent requests for one scope share one token fetch.
 */
final class Authenticator {

    private static final long DEFAULT_TOKEN_SECONDS = 60;
    private static final long EXPIRY_MARGIN_SECONDS = 10;

    private final CredentialSource credentials;
    private final HttpTransport transport;
    private final RegistryLog log;
    private final RetryPolicy retry;
    private final Map<String, HostState> hosts = new ConcurrentHashMap<>();

    private record Token(String value, Instant expires, Credential credential) {}

    private static final class HostState {
        final ReentrantLock lock = new ReentrantLock();
        volatile Challenge challenge; // the registry's scheme once known
        final Map<String, Token> tokens = new ConcurrentHashMap<>();
        Optional<Credential> credential; // guarded by lock; null until looked up
    }

    Authenticator(CredentialSource credentials, HttpTransport transport, RegistryLog log, RetryPolicy retry) {
        this.credentials = credentials;
        this.transport = transport;
        this.log = log;
        this.retry = retry;
    }

    private HostState host(String authority) {
        return hosts.computeIfAbsent(authority, a -> new HostState());
    }

    /** The authorization to start a request with, from what this registry taught us so far. */
    Authorization current(String authority, String repository, String scope) throws RegistryException {
        HostState h = host(authority);
        Challenge c = h.challenge;
        if (c == null) return Authorization.ANONYMOUS;
        return switch (c.scheme()) {
            case "basic" -> basic(h, authority, repository);
            case "bearer" -> {
                Token t = h.tokens.get(scopeKey(scope));
                if (t != null && Instant.now().isBefore(t.expires())) yield new Authorization("Bearer " + t.value(), false, t.credential());
                yield bearer(h, authority, repository, c, scope, null);
            }
            default -> Authorization.ANONYMOUS;
        };
    }

    /**
     * After a 401: the authorization to try again with, or null when trying again is pointless (the
     * caller then reports "not found" or "authentication failed").
     */
    Authorization onUnauthorized(String authority, String repository, String scope, List<String> wwwAuthenticate,
                                 Authorization sent) throws RegistryException {
        List<Challenge> challenges = Challenge.parseAll(wwwAuthenticate);
        Challenge bearer = challenges.stream().filter(c -> c.scheme().equals("bearer")).findFirst().orElse(null);
        Challenge basic = challenges.stream().filter(c -> c.scheme().equals("basic")).findFirst().orElse(null);
        HostState h = host(authority);
        if (bearer != null) {
            if (sent.fresh()) return null; // a token fetched just now was refused: the answer is final
            h.challenge = bearer;
            String wanted = mergeScopes(scope, bearer.param("scope"));
            // Forget the token only if it is the one refused: another thread may have just fetched a good one.
            if (sent.header() != null)
                h.tokens.computeIfPresent(scopeKey(scope), (k, t) -> sent.header().equals("Bearer " + t.value()) ? null : t);
            Authorization a = bearer(h, authority, repository, bearer, scope, wanted);
            return a.header() == null ? null : a; // no token to be had: asking again would not help
        }
        if (basic != null) {
            if (sent.header() != null && sent.header().startsWith("Basic ")) return null;
            h.challenge = basic;
            Authorization a = basic(h, authority, repository);
            return a.header() == null ? null : a;
        }
        if (!challenges.isEmpty())
            log.verbose(authority + " asks for unsupported authentication: " + challenges.getFirst().scheme());
        return null;
    }

    private Authorization basic(HostState h, String authority, String repository) throws RegistryException {
        Optional<Credential> c = credential(h, authority, repository);
        if (c.isEmpty() || c.get().isIdentityToken()) return Authorization.ANONYMOUS;
        String raw = c.get().username() + ":" + c.get().secret();
        return new Authorization("Basic " + Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8)),
                false, c.get());
    }

    private Optional<Credential> credential(HostState h, String authority, String repository) throws RegistryException {
        h.lock.lock();
        try {
            if (h.credential == null) {
                h.credential = credentials.find(authority, repository);
                h.credential.ifPresent(c -> log.verbose("using credentials for " + c.username() + " from " + c.origin()));
            }
            return h.credential;
        } finally {
            h.lock.unlock();
        }
    }

    /** Fetches (or, if another thread just did, reuses) a token for {@code scope}. */
    private Authorization bearer(HostState h, String authority, String repository, Challenge c, String scope,
                                 String wantedScope) throws RegistryException {
        Optional<Credential> cred = credential(h, authority, repository);
        h.lock.lock();
        try {
            Token t = h.tokens.get(scopeKey(scope));
            if (t != null && Instant.now().isBefore(t.expires()))
                return new Authorization("Bearer " + t.value(), true, t.credential());
            Token fresh = fetchToken(authority, c, wantedScope != null ? wantedScope : scope, cred.orElse(null));
            if (fresh == null) return Authorization.ANONYMOUS;
            h.tokens.put(scopeKey(scope), fresh);
            return new Authorization("Bearer " + fresh.value(), true, fresh.credential());
        } finally {
            h.lock.unlock();
        }
    }

    /**
     * The scopes to ask a token for: ours and those the challenge names, actions merged per resource
     * ({@code repository:a:pull} and {@code repository:a:pull,push} give {@code repository:a:pull,push}).
     * A challenge naming less than we need (a pull scope on a blob HEAD during a push) must not cost
     * us the push scope, and one naming more than we asked for is what the registry wants.
     */
    static String mergeScopes(String ours, String challenged) {
        java.util.Map<String, java.util.Set<String>> byResource = new java.util.LinkedHashMap<>();
        for (String list : new String[] {ours, challenged}) {
            if (list == null) continue;
            for (String s : list.split(" ")) {
                if (s.isEmpty()) continue;
                int colon = s.lastIndexOf(':'); // resource names may hold host:port, actions never a colon
                String resource = colon < 0 ? s : s.substring(0, colon);
                var actions = byResource.computeIfAbsent(resource, r -> new java.util.LinkedHashSet<>());
                if (colon >= 0) for (String a : s.substring(colon + 1).split(",")) if (!a.isEmpty()) actions.add(a);
            }
        }
        if (byResource.isEmpty()) return null;
        List<String> out = new ArrayList<>();
        byResource.forEach((resource, actions) ->
                out.add(actions.isEmpty() ? resource : resource + ":" + String.join(",", actions)));
        return String.join(" ", out);
    }

    private static String scopeKey(String scope) {
        return scope == null ? "" : scope;
    }

    /** GET (or OAuth2 POST) the realm; null when an anonymous token is refused. */
    private Token fetchToken(String authority, Challenge c, String scope, Credential cred) throws RegistryException {
        String realm = c.param("realm");
        if (realm == null || realm.isEmpty())
            throw new AuthException("registry " + authority + " asked for a Bearer token but named no realm", (String) null);
        URI realmUri;
        try {
            realmUri = URI.create(realm);
            if (realmUri.getScheme() == null || realmUri.getHost() == null) throw new IllegalArgumentException();
        } catch (IllegalArgumentException e) {
            throw new AuthException("registry " + authority + " named an invalid token realm: " + realm, (String) null);
        }
        List<String> params = new ArrayList<>();
        if (c.param("service") != null) params.add("service=" + enc(c.param("service")));
        if (scope != null && !scope.isEmpty())
            for (String s : scope.split(" ")) if (!s.isEmpty()) params.add("scope=" + enc(s));

        List<String[]> headers = new ArrayList<>();
        HttpRequest.BodyPublisher body = null;
        String method = "GET";
        URI uri;
        if (cred != null && cred.isIdentityToken()) {
            refusePlainHttp(authority, realm);
            method = "POST";
            params.add("grant_type=refresh_token");
            params.add("refresh_token=" + enc(cred.secret()));
            params.add("client_id=chj");
            headers.add(new String[] {"Content-Type", "application/x-www-form-urlencoded"});
            body = HttpRequest.BodyPublishers.ofString(String.join("&", params));
            uri = realmUri;
        } else {
            if (cred != null) {
                refusePlainHttp(authority, realm);
                String raw = cred.username() + ":" + cred.secret();
                headers.add(new String[] {"Authorization",
                        "Basic " + Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8))});
            }
            String q = String.join("&", params);
            String sep = realm.contains("?") ? "&" : "?";
            uri = q.isEmpty() ? realmUri : URI.create(realm + sep + q);
        }
        log.verbose("getting " + (cred == null ? "anonymous " : "") + "token from " + realmUri.getHost()
                + (scope == null ? "" : " for " + scope));

        int status;
        byte[] reply;
        Attempts attempts = new Attempts(retry, log);
        while (true) {
            String why;
            try (Response r = transport.send(method, uri, headers, body)) {
                status = r.status();
                reply = r.readBody(1 << 20);
                if (status != 429 && status < 500) break;
                why = "token service answered " + status;
            } catch (IOException e) {
                if (!RequestExecutor.transient_(e)) throw tokenFailure(authority, realmUri, HttpTransport.describe(e), e);
                why = HttpTransport.describe(e);
            }
            try {
                if (!attempts.retry("token from " + realmUri.getHost(), why, null))
                    throw tokenFailure(authority, realmUri, why, null);
            } catch (java.io.InterruptedIOException e) {
                throw tokenFailure(authority, realmUri, "interrupted", e);
            }
        }
        if (status == 401 || status == 403) {
            if (cred != null)
                throw new AuthException("authentication failed for " + authority + ": " + realmUri.getHost()
                        + " refused the credentials of " + displayUser(cred) + " (from " + cred.origin() + ")",
                        "check the user name and password or token");
            log.verbose(realmUri.getHost() + " refused an anonymous token (" + status + ")");
            return null;
        }
        if (status != 200)
            throw new RegistryException("cannot get a token for " + authority + ": " + realmUri.getHost()
                    + " answered " + status);
        JsonNode doc;
        try {
            doc = JsonTree.read(reply);
        } catch (IOException e) {
            throw new RegistryException("token service " + realmUri.getHost() + " for " + authority + " sent invalid JSON");
        }
        String token = doc.path("token").asText("");
        if (token.isEmpty()) token = doc.path("access_token").asText("");
        if (token.isEmpty())
            throw new RegistryException("token service " + realmUri.getHost() + " for " + authority + " sent no token");
        long seconds = doc.path("expires_in").asLong(DEFAULT_TOKEN_SECONDS);
        if (seconds <= 0) seconds = DEFAULT_TOKEN_SECONDS;
        Instant expires = Instant.now().plusSeconds(Math.max(seconds - EXPIRY_MARGIN_SECONDS, seconds / 2));
        return new Token(token, expires, cred);
    }

    private static RegistryException tokenFailure(String authority, URI realm, String why, Throwable cause) {
        return new RegistryException("cannot get a token for " + authority + " from " + realm.getHost() + ": " + why, cause);
    }

    private static String displayUser(Credential c) {
        return c.isIdentityToken() ? "an identity token" : "user " + c.username();
    }

    /** Credentials never travel in plain HTTP except to hosts where the user allowed plain HTTP. */
    private void refusePlainHttp(String authority, String url) throws AuthException {
        URI u = URI.create(url);
        if ("http".equalsIgnoreCase(u.getScheme()) && !transport.plainHttpAllowed(u.getRawAuthority()))
            throw new AuthException("refusing to send credentials for " + authority + " in plain HTTP to " + u.getHost(),
                    "use an HTTPS token service, or name the host in CH_IMAGE_INSECURE_REGISTRIES");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
