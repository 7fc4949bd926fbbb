package chj.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A misbehaving registry for tests: an HTTP/1.1 proxy on 127.0.0.1 (random port) in front of a real
 * plain-HTTP registry that reproduces real registries' deviations on demand. Raw sockets, so it can
 * do what a well-behaved server library won't: reset a connection mid-body, stall, omit
 * Content-Length, switch to chunked framing.
 *
 * <p>Persistent settings: {@link #auth}, {@link #missingStatus}, {@link #framing},
 * {@link #manifestContentType}, {@link #redirectBlobs}, {@link #corruptByte}, {@link #ignoreRange},
 * {@link #tagPageSize}; for uploads {@link #singlePostStatus}, {@link #putBodyStatus},
 * {@link #chunkMinLength}, {@link #uploadsElsewhere}.
 * One-shot faults: {@link #inject(Target, Fault, int)}. Everything seen is recorded
 * ({@link #requests()}, {@link #tokenRequests()}, {@link #storageRequests()}).
 *
 * <p>Upload sessions get stable URLs of the proxy's own ({@code /v2/NAME/blobs/uploads/ID}, relative,
 * as many registries send), mapped to the registry's moving {@code _state} URLs, so that a client can
 * ask a session's status after a broken PATCH as it would at most registries.
 *
 * <p>With Bearer auth it is its own token service ({@code http://127.0.0.1:PORT/token}): it issues
 * random tokens, optionally only for given Basic credentials, and accepts only tokens it issued.
 * Blob redirects go to a second listener addressed as {@code localhost:PORT} (another host name, so
 * a client must treat it as another origin) that serves the blob from the registry.
 */
public final class FaultProxy implements AutoCloseable {

    public enum Auth { NONE, BEARER, BASIC }

    public enum Framing { AS_UPSTREAM, CHUNKED, CLOSE_DELIMITED }

    /** Which requests a one-shot fault applies to. */
    public enum Target { MANIFEST, BLOB, TAGS, TOKEN, UPLOAD, ANY }

    /** A one-shot misbehaviour. */
    public sealed interface Fault {}

    /** Answer with this status (and headers) instead of forwarding. */
    public record Status(int code, Map<String, String> headers) implements Fault {}

    /**
     * Send the headers and {@code bytes} of the body, then reset the connection (RST). On an upload
     * PATCH or PUT: store only the first {@code bytes} of the request body in the session, then reset.
     */
    public record ResetAfter(long bytes) implements Fault {}

    /** Forget the token this request carries and answer 401, as when a token expires mid-push. */
    public record ExpireToken() implements Fault {}

    /** Send the headers and {@code bytes} of the body, then go quiet for {@code pause}, then close. */
    public record StallAfter(long bytes, Duration pause) implements Fault {}

    /** Let the request through untouched (to aim a later fault: inject PASS n times, then the fault). */
    public record Pass() implements Fault {}

    public static final Pass PASS = new Pass();

    /** One request seen. Header names are lower case. */
    public record Seen(String method, String target, Map<String, String> headers, int status) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private static final Pattern BLOB = Pattern.compile("/v2/(.+)/blobs/(sha256:[a-f0-9]{64})");
    private static final Pattern MANIFEST = Pattern.compile("/v2/(.+)/manifests/([^/?]+)");
    private static final Pattern TAGS = Pattern.compile("/v2/(.+)/tags/list");
    private static final Pattern UPLOAD = Pattern.compile("/v2/(.+)/blobs/uploads/([^/]*)");
    private static final Pattern ELSEWHERE_UPLOAD = Pattern.compile("/uploads/([^/]+)");
    private static final Pattern STORAGE = Pattern.compile("/storage/(.+)/(sha256:[a-f0-9]{64})");
    private static final Set<String> FORWARDED_RESPONSE_HEADERS = Set.of("content-type", "docker-content-digest",
            "content-range", "accept-ranges", "link", "location", "etag", "docker-distribution-api-version",
            "range", "docker-upload-uuid");

    private final String upstream;
    private final ServerSocket server;
    private final ServerSocket storage;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Seen> requests = new CopyOnWriteArrayList<>();
    private final List<Seen> tokenRequests = new CopyOnWriteArrayList<>();
    private final List<Seen> storageRequests = new CopyOnWriteArrayList<>();
    private final List<String> tokenBodies = new CopyOnWriteArrayList<>();
    private final Map<Target, ConcurrentLinkedQueue<Fault>> faults = new ConcurrentHashMap<>();
    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private volatile Auth auth = Auth.NONE;
    private volatile String user;
    private volatile String password;
    private volatile String tokenField = "token";
    private volatile int missingStatus;
    private volatile Framing framing = Framing.AS_UPSTREAM;
    private volatile String manifestContentType;
    private volatile boolean redirectBlobs;
    private volatile long corruptAt = -1;
    private volatile Target corruptTarget = Target.BLOB;
    private volatile boolean ignoreRange;
    private volatile int tagPageSize;
    private volatile int singlePostStatus;
    private volatile int putBodyStatus;
    private volatile long chunkMinLength;
    private volatile boolean uploadsElsewhere;
    /** Upload session ID → the registry's current URL for it and the size of the last PATCH. */
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    private record Session(String repo, String upstream, long lastPatch) {}

    private FaultProxy(String upstream) throws IOException {
        this.upstream = upstream;
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        this.server = new ServerSocket(0, 50, loopback);
        this.storage = new ServerSocket(0, 50, loopback);
        Thread.ofPlatform().daemon().name("fault-proxy").start(() -> acceptLoop(server, false));
        Thread.ofPlatform().daemon().name("fault-proxy-storage").start(() -> acceptLoop(storage, true));
    }

    /** Starts a proxy in front of {@code upstream} (host:port of a plain-HTTP registry without auth). */
    public static FaultProxy start(String upstream) {
        try {
            return new FaultProxy(upstream);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code 127.0.0.1:PORT}, to use in image references. */
    public String authority() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** {@code localhost:PORT} of the blob-storage listener redirects point to. */
    public String storageAuthority() {
        return "localhost:" + storage.getLocalPort();
    }

    // --- settings

    /**
     * Require authentication. For BEARER, user/password (may be null) are what the token service
     * demands for GET; an OAuth2 POST must carry {@code refresh_token=password}.
     */
    public FaultProxy auth(Auth mode, String user, String password) {
        this.auth = mode;
        this.user = user;
        this.password = password;
        return this;
    }

    /** The JSON field the token service puts the token in: "token" (default) or "access_token". */
    public FaultProxy tokenField(String field) {
        this.tokenField = field;
        return this;
    }

    /** Answer this status (401, 403, 400) instead of the registry's 404 for missing manifests and blobs; 0 = pass 404 on. */
    public FaultProxy missingStatus(int status) {
        this.missingStatus = status;
        return this;
    }

    public FaultProxy framing(Framing f) {
        this.framing = f;
        return this;
    }

    /** Content-Type to send for every manifest instead of the registry's; null = the registry's. */
    public FaultProxy manifestContentType(String type) {
        this.manifestContentType = type;
        return this;
    }

    /** Redirect blob GETs (307) to the storage listener on another host name, with a signed-looking URL. */
    public FaultProxy redirectBlobs(boolean on) {
        this.redirectBlobs = on;
        return this;
    }

    /** Flip the byte at this offset of every body of {@code target} (BLOB or MANIFEST) served; -1 = off. */
    public FaultProxy corruptByte(Target target, long offset) {
        this.corruptTarget = target;
        this.corruptAt = offset;
        return this;
    }

    /** Drop Range headers, as registries without range support do (they answer 200 with everything). */
    public FaultProxy ignoreRange(boolean on) {
        this.ignoreRange = on;
        return this;
    }

    /** Serve tag lists in pages of {@code size} tags linked by {@code Link: <…>; rel="next"}; 0 = off. */
    public FaultProxy tagPageSize(int size) {
        this.tagPageSize = size;
        return this;
    }

    /**
     * How to answer a {@code POST …/uploads/?digest=} carrying a whole blob: 0 = as the registry
     * does (Debian's ignores the body and answers 202), 201 = store it (as registries with
     * single-POST uploads do), else answer this status (a registry refusing it).
     */
    public FaultProxy singlePostStatus(int status) {
        this.singlePostStatus = status;
        return this;
    }

    /** Answer this status to an upload PUT that carries bytes (a registry taking only chunks); 0 = off. */
    public FaultProxy putBodyStatus(int status) {
        this.putBodyStatus = status;
        return this;
    }

    /**
     * Send {@code OCI-Chunk-Min-Length} with new upload sessions, and refuse (400) a PATCH that
     * follows a smaller one in its session (only the last chunk may be smaller); 0 = off.
     */
    public FaultProxy chunkMinLength(long bytes) {
        this.chunkMinLength = bytes;
        return this;
    }

    /**
     * Hand out upload session URLs on the storage listener ({@code http://localhost:PORT/uploads/ID},
     * absolute, another host), which serves them without authentication as pre-signed storage does.
     */
    public FaultProxy uploadsElsewhere(boolean on) {
        this.uploadsElsewhere = on;
        return this;
    }

    /** Applies {@code fault} to the next {@code times} requests of {@code target}. */
    public FaultProxy inject(Target target, Fault fault, int times) {
        var q = faults.computeIfAbsent(target, t -> new ConcurrentLinkedQueue<>());
        for (int i = 0; i < times; i++) q.add(fault);
        return this;
    }

    public static Status status(int code) {
        return new Status(code, Map.of());
    }

    public static Status tooManyRequests(long retryAfterSeconds) {
        return new Status(429, Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    public List<Seen> requests() {
        return Collections.unmodifiableList(requests);
    }

    public List<Seen> tokenRequests() {
        return Collections.unmodifiableList(tokenRequests);
    }

    /** Bodies of token requests (OAuth2 POST forms), in order. */
    public List<String> tokenBodies() {
        return Collections.unmodifiableList(tokenBodies);
    }

    public List<Seen> storageRequests() {
        return Collections.unmodifiableList(storageRequests);
    }

    /** Requests whose path matched {@code target}. */
    public List<Seen> requests(Target target) {
        return requests.stream().filter(s -> target == Target.ANY || targetOf(path(s.target())) == target).toList();
    }

    // --- serving

    private void acceptLoop(ServerSocket ss, boolean isStorage) {
        while (!closed) {
            try {
                Socket s = ss.accept();
                open.add(s);
                Thread.ofVirtual().start(() -> serve(s, isStorage));
            } catch (IOException e) {
                if (!closed) System.err.println("fault proxy: accept failed: " + e);
            }
        }
    }

    private record Request(String method, String target, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private void serve(Socket s, boolean isStorage) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (!closed) {
                in.mark(1);
                int first = in.read();
                if (first < 0) return;
                if (first == 0x16) { // a TLS ClientHello: answer like Go's plain-HTTP server does
                    out.write("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return;
                }
                in.reset();
                Request req = readRequest(in);
                if (req == null) return;
                boolean keepOpen = isStorage ? serveStorage(req, s, out) : handle(req, s, out);
                out.flush();
                if (!keepOpen) return;
            }
        } catch (IOException e) {
            // the client went away (or we reset it on purpose)
        } finally {
            open.remove(s);
        }
    }

    private static Request readRequest(InputStream in) throws IOException {
        String line = readLine(in);
        if (line == null || line.isEmpty()) return null;
        String[] parts = line.split(" ");
        if (parts.length < 3) return null;
        Map<String, String> headers = new LinkedHashMap<>();
        String h;
        while ((h = readLine(in)) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            if (colon > 0) headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        byte[] body = new byte[0];
        String cl = headers.get("content-length");
        if (cl != null) body = in.readNBytes(Integer.parseInt(cl));
        return new Request(parts[0], parts[1], headers, body);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') break;
            if (c != '\r') b.write(c);
        }
        if (c < 0 && b.size() == 0) return null;
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private static String path(String target) {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    private static Target targetOf(String path) {
        if (UPLOAD.matcher(path).matches()) return Target.UPLOAD;
        if (BLOB.matcher(path).matches()) return Target.BLOB;
        if (MANIFEST.matcher(path).matches()) return Target.MANIFEST;
        if (TAGS.matcher(path).matches()) return Target.TAGS;
        return Target.ANY;
    }

    private Fault nextFault(Target t) {
        var q = faults.get(t);
        Fault f = q == null ? null : q.poll();
        if (f == null && t != Target.ANY) {
            var any = faults.get(Target.ANY);
            f = any == null ? null : any.poll();
        }
        return f;
    }

    /** Returns whether the connection stays open. */
    private boolean handle(Request req, Socket s, OutputStream out) throws IOException {
        String path = path(req.target());
        if (path.equals("/token")) return token(req, out);

        String repo = repoOf(path);
        if (!authorized(req)) return unauthorized(req, out, repo);
        Target target = targetOf(path);
        Fault fault = target == Target.ANY && path.equals("/v2/") ? null : nextFault(target);
        if (fault instanceof Pass) fault = null;
        if (fault instanceof Status st) {
            Map<String, String> headers = new LinkedHashMap<>(st.headers());
            return simple(req, out, st.code(), headers, "{\"errors\":[{\"code\":\"INJECTED\",\"message\":\"injected " + st.code() + "\"}]}");
        }
        if (fault instanceof ExpireToken) {
            String a = req.header("authorization");
            if (a != null && a.startsWith("Bearer ")) issued.remove(a.substring(7));
            return unauthorized(req, out, repo);
        }
        if (target == Target.UPLOAD) return upload(req, s, out, fault, requests);
        if (redirectBlobs && target == Target.BLOB && req.method().equals("GET")) {
            Matcher m = BLOB.matcher(path);
            m.matches();
            String location = "http://" + storageAuthority() + "/storage/" + m.group(1) + "/" + m.group(2)
                    + "?X-Amz-Signature=" + UUID.randomUUID() + "&X-Amz-Credential=test";
            return simple(req, out, 307, Map.of("Location", location), "");
        }

        if (target == Target.TAGS && tagPageSize > 0) return tagPage(req, out);
        HttpResponse<InputStream> up = forward(req, req.target());
        int status = up.statusCode();
        Map<String, String> headers = responseHeaders(up);
        if (status == 404 && missingStatus != 0 && (target == Target.MANIFEST || target == Target.BLOB)) {
            up.body().close();
            Map<String, String> h = new LinkedHashMap<>();
            String body = "";
            if (missingStatus == 401) h.put("WWW-Authenticate", challenge(repo, req.method()));
            if (missingStatus == 400) {
                h.put("Content-Type", "application/json");
                body = "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name not known to registry\"}]}";
            }
            return simple(req, out, missingStatus, h, body);
        }
        if (target == Target.MANIFEST && manifestContentType != null && status == 200)
            headers.put("content-type", manifestContentType);
        long bodyOffset = 0;
        String cr = up.headers().firstValue("Content-Range").orElse(null);
        if (cr != null) {
            Matcher m = Pattern.compile("bytes (\\d+)-").matcher(cr);
            if (m.find()) bodyOffset = Long.parseLong(m.group(1));
        }
        long corrupt = target == corruptTarget ? corruptAt : -1;
        record(requests, req, status);
        return relay(req, s, out, status, headers, up, fault, corrupt, bodyOffset);
    }

    /**
     * Serves the registry's tag list in pages of {@link #tagPageSize} with a relative {@code Link}
     * header, as Docker Hub and GHCR do (Debian's registry ignores {@code n}).
     */
    private boolean tagPage(Request req, OutputStream out) throws IOException {
        String path = path(req.target());
        HttpResponse<InputStream> up = forward(req, path);
        byte[] body = up.body().readAllBytes();
        if (up.statusCode() != 200) return simple(req, out, up.statusCode(), Map.of("Content-Type", "application/json"),
                new String(body, StandardCharsets.UTF_8));
        var doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
        List<String> all = new ArrayList<>();
        doc.path("tags").forEach(t -> all.add(t.asText()));
        String last = null;
        String query = req.target().contains("?") ? req.target().substring(req.target().indexOf('?') + 1) : "";
        for (String kv : query.split("&")) if (kv.startsWith("last=")) last = kv.substring(5);
        int from = last == null ? 0 : all.indexOf(last) + 1;
        int to = Math.min(all.size(), from + tagPageSize);
        List<String> page = all.subList(from, to);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        if (to < all.size())
            headers.put("Link", "<" + path + "?last=" + page.getLast() + "&n=" + tagPageSize + ">; rel=\"next\"");
        StringBuilder json = new StringBuilder("{\"name\":\"" + doc.path("name").asText() + "\",\"tags\":[");
        for (int i = 0; i < page.size(); i++) json.append(i == 0 ? "" : ",").append('"').append(page.get(i)).append('"');
        return simple(req, out, 200, headers, json.append("]}").toString());
    }

    // --- uploads

    /**
     * Blob upload requests, on the registry's address or (with {@link #uploadsElsewhere}) the
     * storage listener's: session URLs mapped to the registry's, the upload policies, resets.
     */
    private boolean upload(Request req, Socket s, OutputStream out, Fault fault, List<Seen> log) throws IOException {
        String path = path(req.target());
        String query = req.target().contains("?") ? req.target().substring(req.target().indexOf('?') + 1) : "";
        Matcher m = UPLOAD.matcher(path);
        String repo = null;
        String id;
        if (m.matches()) {
            repo = m.group(1);
            id = m.group(2);
        } else {
            Matcher e = ELSEWHERE_UPLOAD.matcher(path);
            id = e.matches() ? e.group(1) : "";
            if (id.isEmpty()) return answer(req, out, log, 404, "NAME_UNKNOWN", "no such upload URL");
        }
        if (id.isEmpty()) { // POST: a new session, a mount, or a whole blob in one POST
            boolean single = query.contains("digest=") && !query.contains("mount=");
            if (single && singlePostStatus == 201) {
                HttpResponse<InputStream> start = forward(req, "/v2/" + repo + "/blobs/uploads/", "POST", new byte[0]);
                start.body().close();
                String location = start.headers().firstValue("Location").orElseThrow();
                String digest = query.replaceAll(".*digest=([^&]*).*", "$1");
                return relayUpload(req, out, log, forward(req, location + "&digest=" + digest, "PUT", req.body()), repo, null);
            }
            if (single && singlePostStatus != 0)
                return answer(req, out, log, singlePostStatus, "UNSUPPORTED", "no blobs in the upload POST here");
            return relayUpload(req, out, log, forward(req, req.target(), "POST", new byte[0]), repo, null);
        }
        Session session = sessions.get(id);
        if (session == null) return answer(req, out, log, 404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry");
        boolean carriesBytes = req.body().length > 0;
        if (req.method().equals("PUT") && carriesBytes && putBodyStatus != 0)
            return answer(req, out, log, putBodyStatus, "UNSUPPORTED", "send blobs in chunks");
        if (req.method().equals("PATCH") && chunkMinLength > 0 && session.lastPatch() > 0 && session.lastPatch() < chunkMinLength)
            return answer(req, out, log, 400, "UNSUPPORTED", "an earlier chunk of " + session.lastPatch()
                    + " bytes was below OCI-Chunk-Min-Length " + chunkMinLength);
        if (fault instanceof ResetAfter r && carriesBytes) {
            // The registry keeps what arrived before the connection broke; the client never hears back.
            byte[] part = java.util.Arrays.copyOf(req.body(), (int) Math.min(r.bytes(), req.body().length));
            HttpResponse<InputStream> up = forward(req, session.upstream(), "PATCH", part);
            up.body().close();
            up.headers().firstValue("Location").ifPresent(l -> sessions.put(id, new Session(session.repo(), l, 0)));
            record(log, req, 0);
            s.setSoLinger(true, 0);
            s.close();
            return false;
        }
        String target = session.upstream() + (query.isEmpty() ? "" : "&" + query);
        HttpResponse<InputStream> up = forward(req, target, req.method(), req.body());
        boolean patched = req.method().equals("PATCH") && up.statusCode() / 100 == 2;
        return relayUpload(req, out, log, up, session.repo(), id, patched ? req.body().length : 0);
    }

    private boolean relayUpload(Request req, OutputStream out, List<Seen> log, HttpResponse<InputStream> up, String repo,
                                String id) throws IOException {
        return relayUpload(req, out, log, up, repo, id, 0);
    }

    /** Answers with the registry's response, its Location turned into the proxy's own form. */
    private boolean relayUpload(Request req, OutputStream out, List<Seen> log, HttpResponse<InputStream> up, String repo,
                                String id, long patched) throws IOException {
        byte[] body;
        try (InputStream in = up.body()) {
            body = in.readAllBytes();
        }
        Map<String, String> headers = responseHeaders(up);
        headers.remove("content-length");
        String location = headers.get("location");
        if (location != null) {
            URI u = URI.create(location);
            if (u.getRawPath().contains("/blobs/uploads/")) { // the session goes on: give it a stable URL
                String sid = id != null ? id : UUID.randomUUID().toString();
                Session before = sessions.get(sid);
                sessions.put(sid, new Session(repo, location, patched > 0 || before == null ? patched : before.lastPatch()));
                headers.put("location", uploadsElsewhere ? "http://" + storageAuthority() + "/uploads/" + sid
                        : "/v2/" + repo + "/blobs/uploads/" + sid);
                if (id == null && chunkMinLength > 0) headers.put("OCI-Chunk-Min-Length", Long.toString(chunkMinLength));
            } else { // a blob's URL: relative, as many registries send
                headers.put("location", u.getRawPath());
                if (id != null) sessions.remove(id);
            }
        }
        if (log == storageRequests) record(storageRequests, req, up.statusCode());
        return simple(req, out, up.statusCode(), headers, new String(body, StandardCharsets.UTF_8));
    }

    private boolean answer(Request req, OutputStream out, List<Seen> log, int status, String code, String message)
            throws IOException {
        if (log == storageRequests) record(storageRequests, req, status);
        return simple(req, out, status, Map.of("Content-Type", "application/json"),
                "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}");
    }

    private String repoOf(String path) {
        for (Pattern p : List.of(BLOB, MANIFEST, TAGS, UPLOAD)) {
            Matcher m = p.matcher(path);
            if (m.matches()) return m.group(1);
        }
        return null;
    }

    private String challenge(String repo, String method) {
        if (auth == Auth.BASIC) return "Basic realm=\"fault-proxy\"";
        String c = "Bearer realm=\"http://" + authority() + "/token\",service=\"fault-proxy\"";
        boolean write = !method.equals("GET") && !method.equals("HEAD");
        if (repo != null) c += ",scope=\"repository:" + repo + (write ? ":pull,push\"" : ":pull\"");
        return c;
    }

    private boolean unauthorized(Request req, OutputStream out, String repo) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("WWW-Authenticate", challenge(repo, req.method()));
        headers.put("Content-Type", "application/json");
        return simple(req, out, 401, headers,
                "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
    }

    private boolean authorized(Request req) {
        String a = req.header("authorization");
        return switch (auth) {
            case NONE -> true;
            case BASIC -> a != null && a.equals("Basic " + basic(user, password));
            case BEARER -> a != null && a.startsWith("Bearer ") && issued.contains(a.substring(7));
        };
    }

    private static String basic(String u, String p) {
        return Base64.getEncoder().encodeToString((u + ":" + p).getBytes(StandardCharsets.UTF_8));
    }

    private boolean token(Request req, OutputStream out) throws IOException {
        String a = req.header("authorization");
        Map<String, String> seenHeaders = new LinkedHashMap<>(req.headers());
        tokenRequests.add(new Seen(req.method(), req.target(), seenHeaders, 0));
        tokenBodies.add(new String(req.body(), StandardCharsets.UTF_8));
        var tokenFaults = faults.get(Target.TOKEN);
        if (tokenFaults != null && tokenFaults.poll() instanceof Status st)
            return simple(req, out, st.code(), st.headers(), "");
        if (req.method().equals("POST")) { // OAuth2: identity (refresh) token for an access token
            String form = new String(req.body(), StandardCharsets.UTF_8);
            boolean ok = form.contains("grant_type=refresh_token") && password != null
                    && form.contains("refresh_token=" + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8));
            if (!ok) return simple(req, out, 401, Map.of("Content-Type", "application/json"), "{\"error\":\"invalid_grant\"}");
            String token = UUID.randomUUID().toString();
            issued.add(token);
            return simple(req, out, 200, Map.of("Content-Type", "application/json"),
                    "{\"access_token\":\"" + token + "\",\"expires_in\":300}");
        }
        if (user != null) {
            boolean ok = a != null && a.equals("Basic " + basic(user, password));
            if (!ok) return simple(req, out, 401, Map.of("Content-Type", "application/json"),
                    "{\"details\":\"incorrect username or password\"}");
        }
        String token = UUID.randomUUID().toString();
        issued.add(token);
        return simple(req, out, 200, Map.of("Content-Type", "application/json"),
                "{\"" + tokenField + "\":\"" + token + "\",\"expires_in\":300}");
    }

    private boolean serveStorage(Request req, Socket s, OutputStream out) throws IOException {
        if (ELSEWHERE_UPLOAD.matcher(path(req.target())).matches()) return upload(req, s, out, null, storageRequests);
        Matcher m = STORAGE.matcher(path(req.target()));
        if (!m.matches()) {
            record(storageRequests, req, 404);
            return simple(req, out, 404, Map.of(), "");
        }
        HttpResponse<InputStream> up = forward(req, "/v2/" + m.group(1) + "/blobs/" + m.group(2));
        record(storageRequests, req, up.statusCode());
        return relay(req, s, out, up.statusCode(), responseHeaders(up), up, null, -1, 0);
    }

    private HttpResponse<InputStream> forward(Request req, String target) throws IOException {
        return forward(req, target, req.method(), req.body());
    }

    /** {@code target} is a path on the registry or a whole URL there (an upload session's). */
    private HttpResponse<InputStream> forward(Request req, String target, String method, byte[] body) throws IOException {
        URI uri = URI.create(target.startsWith("http://") ? target : "http://" + upstream + target);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String name : List.of("accept", "range", "content-type")) {
            String v = req.header(name);
            if (v == null || (name.equals("range") && ignoreRange)) continue;
            b.header(name, v);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static Map<String, String> responseHeaders(HttpResponse<?> up) {
        Map<String, String> h = new LinkedHashMap<>();
        up.headers().map().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if ((FORWARDED_RESPONSE_HEADERS.contains(lower) || lower.equals("content-length")) && !values.isEmpty())
                h.put(lower, values.getFirst());
        });
        return h;
    }

    private void record(List<Seen> list, Request req, int status) {
        list.add(new Seen(req.method(), req.target(), new LinkedHashMap<>(req.headers()), status));
    }

    private boolean simple(Request req, OutputStream out, int status, Map<String, String> headers, String body)
            throws IOException {
        if (!req.target().startsWith("/token") && !req.target().startsWith("/storage")
                && !req.target().startsWith("/uploads")) record(requests, req, status);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder("HTTP/1.1 " + status + " X\r\n");
        headers.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
        b.append("Content-Length: ").append(req.method().equals("HEAD") ? 0 : bytes.length).append("\r\n\r\n");
        out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!req.method().equals("HEAD")) out.write(bytes);
        return true;
    }

    /** Streams the upstream body to the client with the configured framing and fault. */
    private boolean relay(Request req, Socket s, OutputStream out, int status, Map<String, String> headers,
                          HttpResponse<InputStream> up, Fault fault, long corruptAt, long bodyOffset) throws IOException {
        try (InputStream body = up.body()) {
            boolean head = req.method().equals("HEAD");
            Framing f = head ? Framing.AS_UPSTREAM : framing;
            String length = headers.remove("content-length");
            if (f == Framing.AS_UPSTREAM && length == null && !head) f = Framing.CHUNKED;
            StringBuilder b = new StringBuilder("HTTP/1.1 " + status + " X\r\n");
            headers.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
            switch (f) {
                case AS_UPSTREAM -> b.append("Content-Length: ").append(length == null ? "0" : length).append("\r\n");
                case CHUNKED -> b.append("Transfer-Encoding: chunked\r\n");
                case CLOSE_DELIMITED -> b.append("Connection: close\r\n");
            }
            b.append("\r\n");
            out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (head) return true;

            long limit = fault instanceof ResetAfter r ? r.bytes() : fault instanceof StallAfter st ? st.bytes() : Long.MAX_VALUE;
            long sent = 0;
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = body.read(buf, 0, (int) Math.min(buf.length, Math.max(1, limit - sent)))) > 0) {
                if (corruptAt >= 0) {
                    long at = corruptAt - bodyOffset - sent;
                    if (at >= 0 && at < n) buf[(int) at] ^= 0x55;
                }
                if (f == Framing.CHUNKED) out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(buf, 0, n);
                if (f == Framing.CHUNKED) out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                sent += n;
                if (sent >= limit) break;
            }
            if (sent >= limit) {
                out.flush();
                if (fault instanceof StallAfter st) {
                    sleep(st.pause());
                    return false;
                }
                sleep(Duration.ofMillis(200)); // let the client read what was sent, so the reset cuts a known prefix
                s.setSoLinger(true, 0); // close with RST: a connection reset, as flaky networks do
                s.close();
                return false;
            }
            if (f == Framing.CHUNKED) out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return f != Framing.CLOSE_DELIMITED;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
            storage.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : new ArrayList<>(open)) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        http.close();
    }
}
