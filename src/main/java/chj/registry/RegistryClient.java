package chj.registry;

import chj.json.JsonTree;
import chj.oci.Digest;
import chj.oci.Reference;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * A client for the OCI distribution API, pull and push, built to survive real registries. One per
 * process; thread-safe, so blobs can be fetched or pushed from a pool of threads at once.
 *
 * <p><b>HTTPS or HTTP.</b> Registries are spoken to in HTTPS. Loopback hosts (127.0.0.0/8,
 * localhost, ::1) and hosts named in {@link RegistryOptions#insecureRegistries()}
 * ({@code CH_IMAGE_INSECURE_REGISTRIES}) may be spoken to in plain HTTP: the first request to such a
 * host starts a TLS handshake, and if the peer does not speak TLS at all the client uses HTTP for
 * that host from then on. Redirects never drop from HTTPS to HTTP elsewhere.
 *
 * <p><b>Registry quirks handled:</b> 401/403/400 for missing content (reported as
 * {@link NotFoundException}), Bearer and Basic authentication, {@code token} or {@code access_token},
 * missing Content-Length, chunked bodies, redirects to blob storage on other hosts (our Authorization
 * header is never sent there), 429 with Retry-After, 5xx, resets and stalls (retried with back-off,
 * downloads resumed with Range), wrong Content-Type on manifests (callers decide from the body).
 *
 * <p><b>Push.</b> Blobs first ({@link #pushBlob}: skipped when present, mounted from another
 * repository where possible, else uploaded in whichever way the registry takes), the manifest last
 * ({@link #pushManifest}). Push requests ask for {@code repository:NAME:pull,push} tokens (plus
 * {@code pull} on mount sources) and use the client's credentials whenever the registry asks, so
 * build the client with {@link CredentialChain#standard} for a push. Call {@link #ping} first so that
 * refused credentials show before slow work.
 */
public final class RegistryClient implements AutoCloseable {

    /** Accept header for a manifest by tag: indexes first (so multi-arch images stay multi-arch), then manifests. */
    public static final List<String> MANIFEST_TYPES = List.of(
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json");

    /** Larger manifests are refused: registries need accept only 4 MiB, and a hostile one could send gigabytes. */
    public static final int MAX_MANIFEST_BYTES = 16 << 20;

    private static final int MAX_TAG_PAGES = 10_000;

    private final RegistryOptions options;
    private final RegistryLog log;
    private final RequestExecutor executor;
    private final BlobDownloader blobs;
    private final BlobUploader uploads;

    public RegistryClient(RegistryOptions options) {
        this.options = options;
        this.log = options.log();
        HttpTransport transport = new HttpTransport(options);
        Authenticator auth = new Authenticator(options.credentials(), transport, log, options.retry());
        this.executor = new RequestExecutor(options, transport, auth);
        this.blobs = new BlobDownloader(executor, options, this);
        this.uploads = new BlobUploader(executor, options);
    }

    public RegistryOptions options() {
        return options;
    }

    /** The manifest or index {@code ref} names (its digest, else its tag, else latest), with {@link #MANIFEST_TYPES}. */
    public FetchedManifest manifest(Reference ref) throws RegistryException {
        return manifest(ref, ref.tagOrDigest(), MANIFEST_TYPES);
    }

    /**
     * GETs {@code manifests/<tagOrDigest>} of {@code ref}'s repository with the given Accept types
     * (an empty list means {@link #MANIFEST_TYPES}). By digest, the bytes are verified against it.
     *
     * @throws NotFoundException       the registry has no such manifest (or will not say)
     * @throws DigestMismatchException fetched by digest and the bytes hash to something else
     */
    public FetchedManifest manifest(Reference ref, String tagOrDigest, List<String> accept) throws RegistryException {
        Endpoint ep = Endpoint.of(ref);
        Digest wanted = null;
        if (tagOrDigest.contains(":")) {
            try {
                wanted = Digest.parse(tagOrDigest);
            } catch (IllegalArgumentException e) {
                throw new RegistryException("invalid manifest digest for " + ref + ": " + tagOrDigest);
            }
        }
        String shown = wanted != null ? displayName(ref, "@" + wanted) : displayName(ref, ":" + tagOrDigest);
        List<String[]> headers = List.<String[]>of(
                new String[] {"Accept", String.join(", ", accept.isEmpty() ? MANIFEST_TYPES : accept)});
        var call = new RequestExecutor.Call(ep.authority(), ep.repository(), ep.pullScope(), "GET",
                "/v2/" + ep.repository() + "/manifests/" + tagOrDigest, headers);
        Attempts attempts = new Attempts(options.retry(), log);
        while (true) {
            try (Response r = executor.execute(call, attempts)) {
                if (r.status() != 200) throw statusError(r, "manifest", shown, ep);
                byte[] bytes = r.body().readNBytes(MAX_MANIFEST_BYTES + 1);
                if (bytes.length > MAX_MANIFEST_BYTES)
                    throw new RegistryException("manifest " + shown + " is larger than " + (MAX_MANIFEST_BYTES >> 20) + " MiB");
                var length = r.contentLength();
                if (length.isPresent() && length.getAsLong() != bytes.length)
                    throw new java.io.EOFException("manifest body ended after " + bytes.length + " of "
                            + length.getAsLong() + " bytes");
                Digest actual = wanted == null ? Digest.sha256(bytes) : hash(wanted, bytes);
                if (wanted != null && !wanted.equals(actual))
                    throw new DigestMismatchException("manifest " + shown, wanted, actual);
                Digest served = parseDigest(r.header("Docker-Content-Digest"));
                if (served != null && served.algorithm().equals(actual.algorithm()) && !served.equals(actual))
                    log.verbose("manifest " + shown + ": Docker-Content-Digest " + served + " differs from the body's " + actual);
                return new FetchedManifest(bytes, r.header("Content-Type"), served, actual);
            } catch (IOException e) {
                if (!RequestExecutor.transient_(e) || !retry(attempts, "manifest " + shown, e))
                    throw new RegistryException("cannot download manifest " + shown + ": " + HttpTransport.describe(e), e);
            }
        }
    }

    /**
     * Streams blob {@code digest} of {@code ref}'s repository into {@code partFile}, verifying size
     * (when {@code expectedSize >= 0}) and digest. Bytes already in {@code partFile} (an interrupted
     * earlier pull) are resumed from with a Range request if the registry allows. Large blobs are
     * fetched in parallel Range parts. On success the file holds exactly the blob and the caller may
     * rename it into place; on failure it is never left holding wrong bytes as if they were complete.
     *
     * @param listener hears of the bytes downloaded (for progress: the total may drop when a
     *                 download has to start over) and of the prefix of {@code partFile} written so
     *                 far; may be called from several threads; null for none
     * @throws NotFoundException       the registry has no such blob
     * @throws DigestMismatchException the bytes hash to something else (the part file is emptied)
     */
    public void fetchBlob(Reference ref, Digest digest, long expectedSize, Path partFile, DownloadListener listener)
            throws RegistryException {
        blobs.fetch(Endpoint.of(ref), displayName(ref, ""), digest, expectedSize, partFile,
                listener == null ? DownloadListener.of(null) : listener);
    }

    /**
     * Whether {@code ref}'s repository has blob {@code digest} ({@code HEAD}). Asks for a push token
     * (this is the check before an upload). 401 and 403 count as absent, as registries answer so
     * for what they will not admit exists.
     */
    public boolean blobExists(Reference ref, Digest digest) throws RegistryException {
        return uploads.exists(Endpoint.of(ref), displayName(ref, ""), digest);
    }

    /**
     * Puts blob {@code digest} ({@code size} bytes, read from {@code file}) into {@code ref}'s
     * repository: nothing to do if it is there already; else mounted from the first of
     * {@code mountFromRepos} (repositories of the same registry, e.g. the one the image was pulled
     * from) that the registry mounts from; else uploaded, by a single POST, POST then PUT, or PATCH
     * chunks, whichever the registry takes (remembered per registry). Streams from the file; resumes
     * after failures where the registry's upload status says.
     *
     * @param progress gets the bytes sent so far; may drop when an upload has to start over
     * @return how the blob got there
     * @throws AuthException           the registry refused our credentials, or wants some and there are none
     * @throws DigestMismatchException the registry stored the bytes under another digest
     */
    public UploadResult pushBlob(Reference ref, Digest digest, long size, Path file, List<String> mountFromRepos,
                                 LongConsumer progress) throws RegistryException {
        return uploads.push(Endpoint.of(ref), displayName(ref, ""), digest, size, file,
                mountFromRepos == null ? List.of() : mountFromRepos, progress == null ? n -> {} : progress);
    }

    /**
     * PUTs a manifest or index as {@code tag} (or by digest when {@code tag} is null or a digest) of
     * {@code ref}'s repository, with exactly these bytes and {@code mediaType} as Content-Type.
     * Push its blobs first: registries refuse manifests naming blobs they lack.
     *
     * @return SHA-256 of {@code body}, the manifest's digest
     * @throws DigestMismatchException the registry says it stored it under another digest
     */
    public Digest pushManifest(Reference ref, String tag, String mediaType, byte[] body) throws RegistryException {
        Endpoint ep = Endpoint.of(ref);
        Digest digest = Digest.sha256(body);
        String reference = tag == null ? digest.toString() : tag;
        String shown = displayName(ref, reference.contains(":") ? "@" + reference : ":" + reference);
        var call = new RequestExecutor.Call(ep.authority(), ep.repository(), ep.pushScope(), "PUT",
                "/v2/" + ep.repository() + "/manifests/" + reference,
                List.<String[]>of(new String[] {"Content-Type", mediaType}), null,
                () -> java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
        try (Response r = executor.execute(call, new Attempts(options.retry(), log))) {
            int s = r.status();
            if (s == 401 || s == 403) throw pushDenied(r, ep);
            if (s < 200 || s >= 300) {
                ErrorBody err = ErrorBody.read(r);
                String hint = switch (err.code()) {
                    case "MANIFEST_BLOB_UNKNOWN", "BLOB_UNKNOWN" -> "push the blobs the manifest names first";
                    case "NAME_UNKNOWN" -> "some registries (ECR) need the repository created first";
                    default -> s == 413 ? "the registry limits manifest size" : null;
                };
                throw new RegistryException("cannot push manifest " + shown + ": registry answered " + s + err.suffix(),
                        hint, null);
            }
            Digest served = parseDigest(r.header("Docker-Content-Digest"));
            if (served != null && served.algorithm().equals(digest.algorithm()) && !served.equals(digest))
                throw new DigestMismatchException("manifest " + shown + " as stored by the registry", digest, served);
            return digest;
        }
    }

    /**
     * The exception for a push request the registry refused with 401 or 403 after the auth dance:
     * no credentials where some are needed, credentials refused, or credentials without push rights.
     */
    static AuthException pushDenied(Response r, Endpoint ep) {
        ErrorBody err = ErrorBody.read(r);
        Authorization sent = r.sentAuthorization;
        String start = "authentication failed for " + ep.authority() + ": ";
        if (!sent.withCredentials())
            return new AuthException(start + "pushing to " + ep.repository() + " needs credentials, and none were found"
                    + err.suffix(), "set CH_IMAGE_USERNAME and CH_IMAGE_PASSWORD, or log in (docker login, ~/.netrc); see --auth");
        String who = sent.credential().username() + " (from " + sent.credential().origin() + ")";
        if (r.status() == 401 && sent.header() != null && sent.header().startsWith("Basic "))
            return new AuthException(start + "credentials of " + who + " refused" + err.suffix(),
                    "check the user name and password or token (CH_IMAGE_USERNAME, CH_IMAGE_PASSWORD)");
        return new AuthException(start + who + " may not push to " + ep.repository() + err.suffix(),
                "the credentials may not grant push access to " + ep.repository());
    }

    /** All tags of {@code ref}'s repository, in the registry's order, following {@code Link} pagination. */
    public List<String> tags(Reference ref) throws RegistryException {
        Endpoint ep = Endpoint.of(ref);
        String shown = displayName(ref, "");
        Set<String> tags = new LinkedHashSet<>();
        Set<String> seen = new LinkedHashSet<>();
        String path = "/v2/" + ep.repository() + "/tags/list";
        for (int page = 0; path != null; page++) {
            if (page >= MAX_TAG_PAGES || !seen.add(path))
                throw new RegistryException("tag list of " + shown + ": registry's pagination does not end");
            var call = new RequestExecutor.Call(ep.authority(), ep.repository(), ep.pullScope(), "GET", path,
                    List.<String[]>of(new String[] {"Accept", "application/json"}));
            Attempts attempts = new Attempts(options.retry(), log);
            String next;
            while (true) {
                try (Response r = executor.execute(call, attempts)) {
                    if (r.status() != 200) throw statusError(r, "repository", shown, ep);
                    JsonNode doc = JsonTree.read(r.body().readNBytes(MAX_MANIFEST_BYTES));
                    for (JsonNode t : doc.path("tags")) if (t.isTextual()) tags.add(t.asText());
                    next = nextPage(r);
                    break;
                } catch (IOException e) {
                    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException)
                        throw new RegistryException("tag list of " + shown + ": registry sent invalid JSON");
                    if (!RequestExecutor.transient_(e) || !retry(attempts, "tag list of " + shown, e))
                        throw new RegistryException("cannot list tags of " + shown + ": " + HttpTransport.describe(e), e);
                }
            }
            path = next;
        }
        return new ArrayList<>(tags);
    }

    /**
     * Checks that the registry answers and accepts our credentials ({@code GET /v2/}), so a push can
     * fail on bad credentials before any slow work.
     *
     * @throws AuthException the registry refused the credentials
     */
    public void ping(Reference ref) throws RegistryException {
        ping(Endpoint.of(ref));
    }

    private void ping(Endpoint ep) throws RegistryException {
        var call = new RequestExecutor.Call(ep.authority(), ep.repository(), ep.pullScope(), "GET", "/v2/", List.of());
        try (Response r = executor.execute(call, new Attempts(options.retry(), log))) {
            if (r.status() == 200) return;
            if (r.status() == 401 || r.status() == 403) {
                if (r.sentAuthorization.withCredentials())
                    throw new AuthException("authentication failed for " + ep.authority() + ": credentials of "
                            + r.sentAuthorization.credential().username() + " (from " + r.sentAuthorization.credential().origin()
                            + ") refused", "check the user name and password or token");
                throw new AuthException("registry " + ep.authority() + " requires authentication",
                        "authenticate with --auth (CH_IMAGE_USERNAME/CH_IMAGE_PASSWORD, docker login, ~/.netrc)");
            }
            throw new RegistryException("registry " + ep.authority() + " answered " + r.status() + " to GET /v2/"
                    + ErrorBody.read(r).suffix());
        }
    }

    /**
     * The exception for a final non-success response. Registries answer 401/403/400 for content
     * that does not exist, so those mean "not found" too, unless our credentials themselves were refused.
     */
    RegistryException statusError(Response r, String object, String shown, Endpoint ep) throws RegistryException {
        int s = r.status();
        ErrorBody err = ErrorBody.read(r);
        Authorization sent = r.sentAuthorization;
        String notFound = object.equals("manifest") || object.equals("repository")
                ? "not found in registry: " + shown
                : object + " not found in registry: " + shown;
        return switch (s) {
            case 404 -> new NotFoundException(notFound, sent.withCredentials() ? null : authHint());
            case 401, 403 -> {
                if (sent.withCredentials() && sent.header().startsWith("Basic ")) {
                    r.close();
                    ping(ep); // throws AuthException if the credentials themselves are refused
                }
                yield new NotFoundException(notFound + " (or access denied" + err.suffix() + ")", sent.withCredentials()
                        ? "the credentials of " + sent.credential().username() + " may not grant access to " + ep.repository()
                        : authHint());
            }
            case 400 -> new NotFoundException(notFound + " (registry said 400" + err.suffix() + ")", authHint());
            default -> new RegistryException(object + " " + shown + ": registry answered " + s + err.suffix());
        };
    }

    private static String authHint() {
        return "if the image is private, authenticate with --auth";
    }

    /** Reference text for messages: the user's reference with the tag or digest actually fetched. */
    private static String displayName(Reference ref, String suffix) {
        String base = ref.withTag(null).toString();
        return base + suffix;
    }

    private boolean retry(Attempts attempts, String what, IOException e) throws RegistryException {
        try {
            return attempts.retry(what, HttpTransport.describe(e), null);
        } catch (java.io.InterruptedIOException ie) {
            throw new RegistryException("interrupted: " + what, ie);
        }
    }

    private static Digest hash(Digest like, byte[] bytes) {
        return BlobDownloader.digestOf(like, like.newHasher().digest(bytes));
    }

    private static Digest parseDigest(String header) {
        if (header == null) return null;
        try {
            return Digest.parse(header.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The path and query of the {@code rel="next"} Link, if it points at the same registry. */
    private static String nextPage(Response r) {
        for (String link : r.headerValues("Link")) {
            for (String part : link.split(",(?=\\s*<)")) {
                int lt = part.indexOf('<');
                int gt = part.indexOf('>', lt + 1);
                if (lt < 0 || gt < 0) continue;
                String params = part.substring(gt + 1).replace(" ", "").toLowerCase(java.util.Locale.ROOT);
                if (!params.contains("rel=\"next\"") && !params.contains("rel=next")) continue;
                URI next = r.uri().resolve(part.substring(lt + 1, gt).trim());
                if (!next.getRawAuthority().equalsIgnoreCase(r.uri().getRawAuthority())) return null;
                return next.getRawPath() + (next.getRawQuery() == null ? "" : "?" + next.getRawQuery());
            }
        }
        return null;
    }

    @Override
    public void close() {
        executor.transport().close();
    }
}
