package chj.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.OptionalLong;

/**
 * An HTTP response whose body has not been read yet. Closing it releases the connection slot it
 * holds; callers close it in try-with-resources.
 */
final class Response implements AutoCloseable {

    private final int status;
    private final HttpHeaders headers;
    private final URI uri;
    private final InputStream body;
    private Runnable onClose;
    /** What the final request carried (anonymous, Basic, or a token and how it was obtained). */
    Authorization sentAuthorization = Authorization.ANONYMOUS;

    Response(int status, HttpHeaders headers, URI uri, InputStream body, Runnable onClose) {
        this.status = status;
        this.headers = headers;
        this.uri = uri;
        this.body = body;
        this.onClose = onClose;
    }

    int status() {
        return status;
    }

    HttpHeaders headers() {
        return headers;
    }

    String header(String name) {
        return headers.firstValue(name).orElse(null);
    }

    List<String> headerValues(String name) {
        return headers.allValues(name);
    }

    URI uri() {
        return uri;
    }

    InputStream body() {
        return body;
    }

    OptionalLong contentLength() {
        String v = header("Content-Length");
        if (v == null) return OptionalLong.empty();
        try {
            long n = Long.parseLong(v.trim());
            return n >= 0 ? OptionalLong.of(n) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Reads at most {@code limit} bytes of the body (for error bodies and small documents). */
    byte[] readBody(int limit) throws IOException {
        return body.readNBytes(limit);
    }

    /** Adds something to do on close (after the body is closed). */
    void alsoOnClose(Runnable r) {
        Runnable before = onClose;
        onClose = () -> {
            if (before != null) before.run();
            r.run();
        };
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // nothing useful to do; the connection is dropped
        } finally {
            Runnable r = onClose;
            onClose = null;
            if (r != null) r.run();
        }
    }
}
