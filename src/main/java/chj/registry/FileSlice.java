package chj.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongConsumer;

/**
 * A byte range of a file as a request body: streamed from disk each time it is sent (a retry or an
 * authentication round sends it again), with an exact Content-Length, never held in memory.
 */
final class FileSlice {

    private FileSlice() {}

    /**
     * A body of {@code length} bytes of {@code file} from {@code offset}; {@code position} learns the
     * file offset reached as bytes are handed to the connection (for progress).
     */
    static HttpRequest.BodyPublisher publisher(Path file, long offset, long length, LongConsumer position) {
        if (length == 0) return HttpRequest.BodyPublishers.noBody();
        HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
                return new Stream(FileChannel.open(file, StandardOpenOption.READ), offset, offset + length, position);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        });
        // A known length means Content-Length rather than chunked framing, which registries and
        // the proxies in front of them handle unevenly; the client also checks the count.
        return HttpRequest.BodyPublishers.fromPublisher(stream, length);
    }

    private static final class Stream extends InputStream {
        private final FileChannel channel;
        private final long end;
        private final LongConsumer position;
        private long pos;

        Stream(FileChannel channel, long start, long end, LongConsumer position) {
            this.channel = channel;
            this.pos = start;
            this.end = end;
            this.position = position;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (pos >= end) return -1;
            int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - pos)), pos);
            if (n < 0) return -1; // the file shrank: the client reports too few bytes
            pos += n;
            position.accept(pos);
            return n;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
