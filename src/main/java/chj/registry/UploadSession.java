package chj.registry;

import chj.oci.Digest;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One blob upload session: the URL the registry named for it, which may be relative or absolute, on
 * another host, carry its own query (distribution's signed {@code _state}), and move with every
 * response, so each response's {@code Location} is followed. Sends chunks and the closing PUT, and
 * asks the registry how much it holds when a transfer broke.
 */
final class UploadSession {

    private static final Pattern RANGE = Pattern.compile("\\s*(?:bytes[ =])?\\s*(\\d+)-(\\d+)\\s*");

    private final RequestExecutor executor;
    private final Endpoint endpoint;
    private URI location;
    private long minChunk;

    private UploadSession(RequestExecutor executor, Endpoint endpoint) {
        this.executor = executor;
        this.endpoint = endpoint;
    }

    /** The session a 202 to a POST (plain, single-POST or mount) started; throws if the registry named none. */
    static UploadSession started(RequestExecutor executor, Endpoint endpoint, Response r) throws RegistryException {
        UploadSession s = new UploadSession(executor, endpoint);
        s.follow(r);
        if (s.location == null)
            throw new RegistryException("registry " + endpoint.authority() + " started an upload to " + endpoint.repository()
                    + " but sent no Location for it");
        return s;
    }

    /** Takes the registry's newest word on where the session is and what chunks it wants. */
    void follow(Response r) throws RegistryException {
        String loc = r.header("Location");
        if (loc != null && !loc.isBlank()) {
            URI next;
            try {
                next = r.uri().resolve(loc.trim());
            } catch (IllegalArgumentException e) {
                throw new RegistryException("registry " + endpoint.authority() + " sent an invalid upload Location: "
                        + Redact.header("Location", loc));
            }
            if (executor.transport().downgradeRefused(r.uri(), next))
                throw new RegistryException("registry " + endpoint.authority()
                        + ": refusing an upload location in plain HTTP at " + next.getHost());
            location = next;
        }
        String min = r.header("OCI-Chunk-Min-Length");
        if (min != null) {
            try {
                minChunk = Math.max(minChunk, Long.parseLong(min.trim()));
            } catch (NumberFormatException e) {
                // unreadable: keep what we had
            }
        }
    }

    /** The smallest chunk the registry takes (except the last), 0 when it named none. */
    long minChunk() {
        return minChunk;
    }

    /** PATCH with bytes {@code from}..{@code from+length-1} of the file. One try: the caller recovers. */
    Response patch(Path file, long from, long length, LongConsumer position) throws IOException, RegistryException {
        List<String[]> headers = new ArrayList<>();
        headers.add(new String[] {"Content-Type", "application/octet-stream"});
        // OCI's form: inclusive, without the "bytes " unit that HTTP's Content-Range has.
        headers.add(new String[] {"Content-Range", from + "-" + (from + length - 1)});
        return executor.executeOnce(call("PATCH", location, headers, file, from, length, position));
    }

    /** The closing {@code PUT ?digest=}, carrying bytes {@code from}..{@code from+length-1} (length may be 0). */
    Response close(Digest digest, Path file, long from, long length, LongConsumer position)
            throws IOException, RegistryException {
        List<String[]> headers = new ArrayList<>();
        if (length > 0) headers.add(new String[] {"Content-Type", "application/octet-stream"});
        return executor.executeOnce(call("PUT", withQuery(location, "digest=" + digest), headers, file, from, length, position));
    }

    /**
     * How many bytes the registry holds for this session ({@code GET} the session, 204 with
     * {@code Range: 0-END}); empty when the session is gone. {@code 0-0} is read as nothing held:
     * it also means one byte, but resending a byte is caught by the digest check, skipping one is not.
     */
    OptionalLong held() throws RegistryException {
        try (Response r = executor.execute(call("GET", location, List.of(), null, 0, 0, null),
                new Attempts(executor.options().retry(), executor.options().log()))) {
            int s = r.status();
            if (s == 401 || s == 403) throw RegistryClient.pushDenied(r, endpoint);
            if (s != 204 && s != 200) return OptionalLong.empty();
            follow(r);
            return OptionalLong.of(heldBytes(r.header("Range")));
        }
    }

    /** Bytes a {@code Range: 0-END} header says the registry holds; 0 when absent or unreadable. */
    static long heldBytes(String range) {
        if (range == null) return 0;
        Matcher m = RANGE.matcher(range);
        if (!m.matches()) return 0;
        try {
            long end = Long.parseLong(m.group(2));
            return end == 0 ? 0 : end + 1;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Abandons the session; registries clean up abandoned ones anyway, so failures do not matter. */
    void cancel() {
        try (Response r = executor.executeOnce(call("DELETE", location, List.of(), null, 0, 0, null))) {
            r.status();
        } catch (IOException | RegistryException e) {
            // best effort
        }
    }

    private RequestExecutor.Call call(String method, URI url, List<String[]> headers, Path file, long from, long length,
                                      LongConsumer position) {
        String shown = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        return new RequestExecutor.Call(endpoint.authority(), endpoint.repository(), endpoint.pushScope(), method, shown,
                headers, url, file == null || length == 0 ? () -> java.net.http.HttpRequest.BodyPublishers.noBody()
                        : () -> FileSlice.publisher(file, from, length, position));
    }

    /** Adds a query parameter, with {@code &} where the URL has a query already. */
    static URI withQuery(URI url, String param) {
        String s = url.toString();
        int hash = s.indexOf('#');
        if (hash >= 0) s = s.substring(0, hash);
        return URI.create(s + (url.getRawQuery() == null ? "?" : s.endsWith("&") || s.endsWith("?") ? "" : "&") + param);
    }
}
