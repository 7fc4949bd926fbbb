package chj.registry;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A large blob fetched as parallel Range parts written at their offsets in the part file, then
 * hashed in one sequential pass. Parallel TCP streams get past per-connection limits of registries
 * and CDNs. Finished parts are recorded in a marker file beside the part file ({@code NAME.ranges}),
 * so a killed pull resumes with the missing parts only; the part file's length alone says nothing
 * here, as parts finish out of order.
 */
final class RangedDownload {

    static final long MIN_PART = 8L << 20;
    private static final String MAGIC = "chj-ranges 1";

    private final BlobDownloader downloader;
    private final BlobDownloader.Job job;
    private final long size;
    private final long partSize;
    private final int partCount;
    private final BitSet done;
    private final AtomicLong total = new AtomicLong();
    /** Per part, the next offset to write (guarded by this); with {@link #done}, what prefix of the file is written. */
    private final long[] reached;
    private long prefix; // guarded by this
    private final ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
    private volatile boolean failed;
    private RegistryException failure; // guarded by this

    RangedDownload(BlobDownloader downloader, BlobDownloader.Job job) {
        this(downloader, job, Math.max(MIN_PART, ceilDiv(job.expectedSize(), downloader.options().rangeParts() * 2L)),
                new BitSet());
    }

    private RangedDownload(BlobDownloader downloader, BlobDownloader.Job job, long partSize, BitSet done) {
        this.downloader = downloader;
        this.job = job;
        this.size = job.expectedSize();
        this.partSize = partSize;
        this.partCount = (int) ceilDiv(size, partSize);
        this.done = done;
        this.reached = new long[partCount];
        for (int i = 0; i < partCount; i++) reached[i] = first(i);
    }

    static Path markerFor(Path partFile) {
        return partFile.resolveSibling(partFile.getFileName() + ".ranges");
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private long first(int part) {
        return part * partSize;
    }

    private long last(int part) {
        return Math.min(size, (part + 1) * partSize) - 1;
    }

    /**
     * Asks for the first part. Returns null when the registry served ranges and the whole blob is
     * now downloaded and verified; else an open response for the whole blob to continue with
     * sequentially.
     */
    Response start() throws RegistryException {
        Attempts attempts = new Attempts(downloader.options().retry(), downloader.log());
        Response r = downloader.open(job, "bytes=0-" + last(0), attempts);
        if (r.status() == 200) {
            downloader.log().verbose(job.object() + ": registry does not serve ranges; downloading in one stream");
            return r;
        }
        if (r.status() != 206) {
            try (r) {
                throw downloader.client().statusError(r, job.object(), job.shown(), job.endpoint());
            }
        }
        ContentRange cr = ContentRange.parse(r.header("Content-Range"));
        if (cr == null || cr.start() != 0 || cr.end() != last(0) || cr.total() != size) {
            r.close();
            if (cr != null && cr.total() >= 0 && cr.total() != size)
                throw new RegistryException(job.object() + " of " + job.shown() + ": registry says it is " + cr.total()
                        + " bytes, the manifest says " + size);
            downloader.log().verbose(job.object() + ": registry answered a range oddly; downloading in one stream");
            return plainRestart();
        }
        writeMarkerHeader();
        downloader.log().verbose(job.object() + ": " + size + " bytes in " + partCount + " parallel parts");
        for (int i = 1; i < partCount; i++) queue.add(i);
        runParts(r);
        finish();
        return null;
    }

    /** Empties the part file and opens a plain (no Range) download. */
    private Response plainRestart() throws RegistryException {
        downloader.startOver(job);
        Attempts attempts = new Attempts(downloader.options().retry(), downloader.log());
        return downloader.open(job, null, attempts);
    }

    /**
     * Continues a ranged download a killed process left (marker present). Returns false when the
     * marker does not describe this blob; then the caller starts over.
     */
    static boolean resume(BlobDownloader downloader, BlobDownloader.Job job) throws RegistryException {
        Path marker = markerFor(job.partFile());
        List<String> lines;
        try {
            lines = Files.readAllLines(marker, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw BlobDownloader.localFailure(marker, e);
        }
        if (lines.isEmpty()) return false;
        String[] head = lines.getFirst().split(" ");
        if (head.length != 5 || !(head[0] + " " + head[1]).equals(MAGIC) || !head[4].equals(job.digest().toString()))
            return false;
        long size;
        long partSize;
        try {
            size = Long.parseLong(head[2]);
            partSize = Long.parseLong(head[3]);
        } catch (NumberFormatException e) {
            return false;
        }
        if (size != job.expectedSize() || partSize < 1) return false;
        BitSet done = new BitSet();
        for (String line : lines.subList(1, lines.size())) {
            try {
                done.set(Integer.parseInt(line.trim()));
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                // a line cut short by the kill: that part is simply fetched again
            }
        }
        RangedDownload d = new RangedDownload(downloader, job, partSize, done);
        int missing = 0;
        for (int i = 0; i < d.partCount; i++) {
            if (done.get(i)) d.total.addAndGet(d.last(i) - d.first(i) + 1);
            else {
                d.queue.add(i);
                missing++;
            }
        }
        downloader.log().verbose(job.object() + ": resuming ranged download, " + missing + " of " + d.partCount
                + " parts to go");
        job.listener().progressed(d.total.get());
        d.partAdvanced(0, 0);
        d.runParts(null);
        d.finish();
        return true;
    }

    private void runParts(Response first) throws RegistryException {
        int workers = Math.min(downloader.options().rangeParts() - (first == null ? 0 : 1), queue.size());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < workers; i++) pool.submit(() -> work(null));
            if (first != null) work(first);
        }
        synchronized (this) {
            if (failure != null) throw failure;
        }
    }

    private void work(Response first) {
        try {
            if (first != null) fetchPart(0, first);
            Integer part;
            while (!failed && (part = queue.poll()) != null) fetchPart(part, null);
        } catch (RegistryException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new RegistryException(job.object() + ": " + e, e));
        }
    }

    private synchronized void fail(RegistryException e) {
        failed = true;
        if (failure == null) failure = e;
    }

    /** A part's cursor: progress counts all parts; the written prefix grows only through the first unfinished part. */
    private final class PartCursor extends BlobDownloader.Cursor {
        private final int part;

        PartCursor(int part) {
            super(first(part));
            this.part = part;
        }

        @Override
        void advanced(BlobDownloader.Job job, int n) {
            job.listener().progressed(total.addAndGet(n));
            partAdvanced(part, pos);
        }
    }

    /**
     * Records where a part's writing stands and tells the listener when the written prefix grew;
     * under the lock, so that the listener hears the prefixes in order.
     */
    private synchronized void partAdvanced(int part, long pos) {
        reached[part] = pos;
        int i = done.nextClearBit(0);
        long now = i >= partCount ? size : reached[i];
        if (now <= prefix) return;
        prefix = now;
        job.listener().written(now);
    }

    private void fetchPart(int part, Response initial) throws RegistryException {
        BlobDownloader.Cursor at = new PartCursor(part);
        long last = last(part);
        Attempts attempts = new Attempts(downloader.options().retry(), downloader.log());
        Response pending = initial;
        while (at.pos <= last) {
            if (failed) {
                if (pending != null) pending.close();
                return;
            }
            Response r = pending != null ? pending : downloader.open(job, "bytes=" + at.pos + "-" + last, attempts);
            pending = null;
            try (r) {
                if (r.status() != 206) {
                    if (r.status() == 200)
                        throw new RegistryException(job.object() + " of " + job.shown()
                                + ": registry stopped serving ranges mid-download");
                    throw downloader.client().statusError(r, job.object(), job.shown(), job.endpoint());
                }
                ContentRange cr = ContentRange.parse(r.header("Content-Range"));
                if (cr == null || cr.start() != at.pos || cr.end() > last)
                    throw new RegistryException(job.object() + " of " + job.shown() + ": asked for bytes " + at.pos + "-"
                            + last + ", registry sent " + r.header("Content-Range"));
                downloader.copy(job, r.body(), at, last, null, attempts);
                if (at.pos <= last) throw new EOFException("part ended after " + (at.pos - first(part)) + " bytes");
            } catch (IOException e) {
                if (!RequestExecutor.transient_(e) || !downloader.retry(attempts, job, e))
                    throw new RegistryException("cannot download " + job.object() + " of " + job.shown() + ": "
                            + HttpTransport.describe(e), e);
            }
        }
        markDone(part);
    }

    private void writeMarkerHeader() throws RegistryException {
        write(MAGIC + " " + size + " " + partSize + " " + job.digest() + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    private void markDone(int part) throws RegistryException {
        synchronized (this) {
            done.set(part);
            write(part + "\n", StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        }
        partAdvanced(part, last(part) + 1);
    }

    private void write(String text, StandardOpenOption... how) throws RegistryException {
        Path marker = markerFor(job.partFile());
        try {
            Files.writeString(marker, text, StandardCharsets.UTF_8, how);
        } catch (IOException e) {
            throw BlobDownloader.localFailure(marker, e);
        }
    }

    /** Hashes the assembled file and verifies it; the marker goes only once the blob is whole and right. */
    private void finish() throws RegistryException {
        try {
            job.channel().force(false);
        } catch (IOException e) {
            throw BlobDownloader.localFailure(job.partFile(), e);
        }
        long have;
        try {
            have = job.channel().size();
        } catch (IOException e) {
            throw BlobDownloader.localFailure(job.partFile(), e);
        }
        downloader.verify(job, BlobDownloader.hashFile(job), have);
        try {
            Files.deleteIfExists(markerFor(job.partFile()));
        } catch (IOException e) {
            throw BlobDownloader.localFailure(markerFor(job.partFile()), e);
        }
    }
}
