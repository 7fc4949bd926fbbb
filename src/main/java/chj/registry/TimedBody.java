package chj.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body as a blocking InputStream that fails when no bytes arrive for {@code idleTimeout}.
 * java.net.http has no read timeout once the headers are in: a registry or CDN that stalls mid-body
 * would otherwise hang a pull forever. At most two buffer lists are held (back-pressure by request(1)).
 */
final class TimedBody extends InputStream implements HttpResponse.BodySubscriber<InputStream> {

    private static final Object END = new Object();

    private final long idleNanos;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final CompletableFuture<InputStream> body = CompletableFuture.completedFuture(this);
    private volatile Flow.Subscription subscription;
    private Iterator<ByteBuffer> buffers;
    private ByteBuffer current;
    private boolean finished;
    private volatile boolean closed;

    TimedBody(Duration idleTimeout) {
        this.idleNanos = idleTimeout.toNanos();
    }

    static HttpResponse.BodyHandler<InputStream> handler(Duration idleTimeout) {
        return info -> new TimedBody(idleTimeout);
    }

    // --- subscriber side (HttpClient's threads)

    @Override
    public CompletionStage<InputStream> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (closed) s.cancel();
        else s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable t) {
        queue.add(t);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    // --- reader side

    /** The next buffer with bytes left, or null at the end of the body. */
    private ByteBuffer current() throws IOException {
        while (current == null || !current.hasRemaining()) {
            if (buffers != null && buffers.hasNext()) {
                current = buffers.next();
                continue;
            }
            if (finished) return null;
            if (closed) throw new IOException("response body closed");
            Object next;
            try {
                next = queue.poll(idleNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while reading a response body");
            }
            if (next == null)
                throw new BodyTimeoutException("no data received for " + Duration.ofNanos(idleNanos).toSeconds() + " s");
            if (next == END) {
                finished = true;
                return null;
            }
            if (next instanceof Throwable t)
                throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
            @SuppressWarnings("unchecked")
            List<ByteBuffer> list = (List<ByteBuffer>) next;
            buffers = list.iterator();
            Flow.Subscription s = subscription;
            if (s != null) s.request(1);
        }
        return current;
    }

    @Override
    public int read() throws IOException {
        ByteBuffer b = current();
        return b == null ? -1 : b.get() & 0xff;
    }

    @Override
    public int read(byte[] dst, int off, int len) throws IOException {
        if (len == 0) return 0;
        int total = 0;
        while (total < len) {
            // Block only for the first byte; afterwards hand back what is already here.
            if (total > 0 && (current == null || !current.hasRemaining()) && (buffers == null || !buffers.hasNext())
                    && queue.isEmpty()) break;
            ByteBuffer b = current();
            if (b == null) break;
            int n = Math.min(len - total, b.remaining());
            b.get(dst, off + total, n);
            total += n;
        }
        return total == 0 ? -1 : total;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Flow.Subscription s = subscription;
        if (s != null) s.cancel();
        queue.clear();
    }

    /** A body stalled longer than the read timeout. */
    static final class BodyTimeoutException extends java.net.SocketTimeoutException {
        BodyTimeoutException(String message) {
            super(message);
        }
    }
}
