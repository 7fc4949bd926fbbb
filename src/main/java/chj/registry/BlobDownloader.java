package chj.registry;

import chj.oci.Digest;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Downloads one blob into a part file: streamed through a 256 KiB buffer and hashed on the way,
 * resumed with Range after failures and across processes, fetched in parallel Range parts when large
 * (see {@link RangedDownload}), and verified for size and digest before it counts as done.
 */
final class BlobDownloader {

    static final int BUFFER = 256 * 1024;

    private final RequestExecutor executor;
    private final RegistryOptions options;
    private final RegistryLog log;
    private final RegistryClient client;

    /** Everything about one download that its parts share. */
    record Job(Endpoint endpoint, String shown, Digest digest, long expectedSize, FileChannel channel, Path partFile,
               DownloadListener listener) {
        String object() {
            return "blob " + digest;
        }
    }

    BlobDownloader(RequestExecutor executor, RegistryOptions options, RegistryClient client) {
        this.executor = executor;
        this.options = options;
        this.log = options.log();
        this.client = client;
    }

    RegistryOptions options() {
        return options;
    }

    void fetch(Endpoint ep, String shown, Digest digest, long expectedSize, Path partFile, DownloadListener listener)
            throws RegistryException {
        Path marker = RangedDownload.markerFor(partFile);
        try (FileChannel ch = FileChannel.open(partFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            Job job = new Job(ep, shown, digest, expectedSize, ch, partFile, listener);
            try {
                boolean hadBytes = ch.size() > 0 || Files.exists(marker);
                try {
                    if (!Files.exists(marker) || !RangedDownload.resume(this, job)) {
                        if (Files.exists(marker)) startOver(job);
                        download(job);
                    }
                } catch (DigestMismatchException e) {
                    if (!hadBytes) throw e;
                    // The bytes left by an earlier pull may be what was wrong: one clean try.
                    log.verbose(job.object() + ": resumed download did not verify; starting over");
                    startOver(job);
                    download(job);
                }
                ch.force(false);
            } catch (DigestMismatchException e) {
                startOver(job);
                throw e;
            }
        } catch (IOException e) {
            throw localFailure(partFile, e);
        }
    }

    static RegistryException localFailure(Path partFile, IOException e) {
        return new RegistryException("cannot write " + partFile + ": " + HttpTransport.describe(e), e);
    }

    /** Empties the part file and forgets any ranged-download record. */
    void startOver(Job job) throws RegistryException {
        try {
            job.channel().truncate(0);
            Files.deleteIfExists(RangedDownload.markerFor(job.partFile()));
        } catch (IOException e) {
            throw localFailure(job.partFile(), e);
        }
        job.listener().progressed(0);
        job.listener().written(0);
    }

    private void download(Job job) throws RegistryException {
        long have = size(job);
        if (job.expectedSize() >= 0 && have > job.expectedSize()) {
            startOver(job);
            have = 0;
        }
        if (job.expectedSize() >= 0 && have == job.expectedSize() && have > 0) {
            // Complete already (killed before the rename): no request needed, and some registries
            // answer a Range starting at the end with a broken response.
            job.listener().progressed(have);
            job.listener().written(have);
            verify(job, hashFile(job), have);
            return;
        }
        Response first = null;
        if (have == 0 && job.expectedSize() >= options.rangeThreshold() && options.rangeParts() > 1) {
            RangedDownload ranged = new RangedDownload(this, job);
            first = ranged.start();
            if (first == null) return; // done in parts, and verified
        }
        sequential(job, have, first);
    }

    /** Streams from {@code have} onwards; {@code pending}, if given, is an already-open 200 response. */
    private void sequential(Job job, long have, Response pending) throws RegistryException {
        MessageDigest md = job.digest().newHasher();
        Cursor at = new Cursor(have);
        if (have > 0) {
            log.verbose(job.object() + ": resuming at " + have + " bytes");
            rehashPrefix(job, have, md);
            job.listener().progressed(have);
            job.listener().written(have);
        }
        Attempts attempts = new Attempts(options.retry(), log);
        while (true) {
            Response r = pending != null ? pending : open(job, at.pos > 0 ? "bytes=" + at.pos + "-" : null, attempts);
            pending = null;
            try (r) {
                int s = r.status();
                if (s == 206) {
                    ContentRange cr = ContentRange.parse(r.header("Content-Range"));
                    if (cr == null || cr.start() != at.pos) {
                        log.verbose(job.object() + ": registry sent another range than asked; starting over");
                        startOver(job);
                        md.reset();
                        at.pos = 0;
                        continue;
                    }
                    checkTotal(job, cr.total());
                } else if (s == 200) {
                    if (at.pos > 0) {
                        log.verbose(job.object() + ": registry does not resume (no Range support); starting over");
                        startOver(job);
                        md.reset();
                        at.pos = 0;
                    }
                    if (r.contentLength().isPresent()) checkTotal(job, r.contentLength().getAsLong());
                } else if (s == 416 && at.pos > 0) {
                    startOver(job);
                    md.reset();
                    at.pos = 0;
                    continue;
                } else {
                    throw client.statusError(r, "blob " + job.digest(), job.shown(), job.endpoint());
                }
                copy(job, r.body(), at, job.expectedSize() < 0 ? Long.MAX_VALUE : job.expectedSize() - 1, md, attempts);
                if (job.expectedSize() >= 0 && at.pos < job.expectedSize())
                    throw new EOFException("body ended after " + at.pos + " of " + job.expectedSize() + " bytes");
                break;
            } catch (IOException e) {
                if (!RequestExecutor.transient_(e) || !retry(attempts, job, e))
                    throw new RegistryException("cannot download " + job.object() + " of " + job.shown() + ": "
                            + HttpTransport.describe(e), e);
            }
        }
        verify(job, digestOf(job.digest(), md.digest()), at.pos);
    }

    Response open(Job job, String range, Attempts attempts) throws RegistryException {
        List<String[]> headers = new ArrayList<>();
        if (range != null) headers.add(new String[] {"Range", range});
        Endpoint ep = job.endpoint();
        return executor.execute(new RequestExecutor.Call(ep.authority(), ep.repository(), ep.pullScope(), "GET",
                "/v2/" + ep.repository() + "/blobs/" + job.digest(), headers), attempts);
    }

    /**
     * Where a transfer stands: the next offset to write. Kept outside the copy so a failure mid-body
     * loses nothing. This one is for a sequential download: what is written is a prefix of the blob.
     */
    static class Cursor {
        long pos;

        Cursor(long pos) {
            this.pos = pos;
        }

        /** Tells the listener that {@code n} more bytes were written, ending at {@code pos}. */
        void advanced(Job job, int n) {
            job.listener().progressed(pos);
            job.listener().written(pos);
        }
    }

    /**
     * Copies the body into the file from {@code at.pos} up to {@code last} (inclusive), hashing if
     * {@code md} is given, advancing {@code at} as bytes land. More bytes than {@code last} allows is an error.
     */
    void copy(Job job, InputStream body, Cursor at, long last, MessageDigest md, Attempts attempts)
            throws IOException, RegistryException {
        byte[] buf = new byte[BUFFER];
        int n;
        while ((n = body.read(buf)) > 0) {
            if (at.pos + n - 1 > last)
                throw new RegistryException(job.object() + " of " + job.shown() + ": registry sent more than the "
                        + (last + 1) + " bytes expected");
            write(job, buf, n, at.pos);
            if (md != null) md.update(buf, 0, n);
            at.pos += n;
            attempts.progressed(n);
            at.advanced(job, n);
        }
    }

    private static void write(Job job, byte[] buf, int n, long pos) throws RegistryException {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
        try {
            while (b.hasRemaining()) pos += job.channel().write(b, pos);
        } catch (IOException e) {
            throw localFailure(job.partFile(), e);
        }
    }

    private void checkTotal(Job job, long total) throws RegistryException {
        if (job.expectedSize() >= 0 && total >= 0 && total != job.expectedSize())
            throw new RegistryException(job.object() + " of " + job.shown() + ": registry says it is " + total
                    + " bytes, the manifest says " + job.expectedSize());
    }

    void verify(Job job, Digest actual, long size) throws RegistryException {
        if (job.expectedSize() >= 0 && size != job.expectedSize())
            throw new RegistryException(job.object() + " of " + job.shown() + ": got " + size + " bytes, expected "
                    + job.expectedSize());
        if (!actual.equals(job.digest())) throw new DigestMismatchException(job.object(), job.digest(), actual);
    }

    private static long size(Job job) throws RegistryException {
        try {
            return job.channel().size();
        } catch (IOException e) {
            throw localFailure(job.partFile(), e);
        }
    }

    private static void rehashPrefix(Job job, long length, MessageDigest md) throws RegistryException {
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        long pos = 0;
        try {
            while (pos < length) {
                buf.clear();
                if (length - pos < buf.capacity()) buf.limit((int) (length - pos));
                int n = job.channel().read(buf, pos);
                if (n < 0) break;
                buf.flip();
                md.update(buf);
                pos += n;
            }
        } catch (IOException e) {
            throw localFailure(job.partFile(), e);
        }
    }

    /** Digest of the whole part file. */
    static Digest hashFile(Job job) throws RegistryException {
        MessageDigest md = job.digest().newHasher();
        rehashPrefix(job, size(job), md);
        return digestOf(job.digest(), md.digest());
    }

    /** A finished hash as a digest of the same algorithm as the one expected. */
    static Digest digestOf(Digest like, byte[] hash) {
        return new Digest(like.algorithm(), java.util.HexFormat.of().formatHex(hash));
    }

    boolean retry(Attempts attempts, Job job, IOException e) throws RegistryException {
        try {
            return attempts.retry(job.object(), HttpTransport.describe(e), null);
        } catch (InterruptedIOException ie) {
            throw new RegistryException("interrupted while downloading " + job.object(), ie);
        }
    }

    RegistryClient client() {
        return client;
    }

    RegistryLog log() {
        return log;
    }
}
