package chj.registry;

import chj.oci.Digest;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.LongConsumer;

/**
 * One blob's bytes on their way into one repository, through upload sessions: the whole blob in
 * one PUT, or PATCH chunks and a closing PUT, recovering from broken transfers and failed requests
 * by asking the session's status and going on from where the registry stands. Counts its tries
 * (progress earns them back) and its recoveries.
 */
final class BlobTransfer {

    /**
     * The upload session is gone (or can no longer be trusted): start over with a new one.
     * {@code counted}: found while recovering from a failure already waited for and counted.
     */
    static final class SessionLost extends Exception {
        final boolean counted;

        SessionLost(String why) {
            this(why, false);
        }

        SessionLost(String why, boolean counted) {
            super(why, null, false, false);
            this.counted = counted;
        }
    }

    /** Statuses with which a registry refuses a way of uploading (not the blob itself). */
    private static final java.util.Set<Integer> STYLE_REFUSED = java.util.Set.of(400, 405, 411, 413, 415, 501);

    final Endpoint ep;
    final String shown;
    final Digest digest;
    final long size;
    final Path file;
    final LongConsumer progress;
    private final long chunkSize;
    private final Attempts attempts;
    private final RegistryLog log;
    private int resumes;

    BlobTransfer(Endpoint ep, String shown, Digest digest, long size, Path file, LongConsumer progress,
                 RegistryOptions options) {
        this.ep = ep;
        this.shown = shown;
        this.digest = digest;
        this.size = size;
        this.file = file;
        this.progress = progress;
        this.chunkSize = options.uploadChunkSize();
        this.attempts = new Attempts(options.retry(), options.log());
        this.log = options.log();
    }

    String object() {
        return "blob " + digest;
    }

    /** Times this transfer recovered from a failure so far. */
    int resumes() {
        return resumes;
    }

    /** Starting over in a new session after {@link SessionLost}: waits and counts unless that was done. */
    void startingOver(SessionLost e) throws RegistryException {
        if (!e.counted) {
            retryOrGiveUp(e.getMessage(), null);
            resumes++;
        }
        log.verbose(object() + ": " + e.getMessage() + "; starting a new upload");
        progress.accept(0);
    }

    /**
     * PUT with the whole blob: {@link UploadResult.Method#POST_PUT}, or {@code CHUNKED} when it had
     * to be resumed, or null when the registry refuses blobs in one PUT (the session is then spent).
     */
    UploadResult.Method putWhole(UploadSession session) throws RegistryException, SessionLost {
        String why;
        Duration wait = null;
        try (Response r = session.close(digest, file, 0, size, progress)) {
            int s = r.status();
            if (s >= 200 && s < 300) {
                checkServed(r);
                return UploadResult.Method.POST_PUT;
            }
            if (s == 401 || s == 403) throw RegistryClient.pushDenied(r, ep);
            ErrorBody err = ErrorBody.read(r);
            rejectedUpload(s, err, false);
            if (STYLE_REFUSED.contains(s)) {
                log.verbose(ep.authority() + " refuses a blob in one PUT: " + s + err.suffix() + "; uploading in chunks");
                progress.accept(0);
                return null;
            }
            if (!transientStatus(s)) throw refused("the upload", s, err);
            why = "upload answered " + s;
            wait = s == 429 ? RequestExecutor.retryAfter(r.header("Retry-After")) : null;
        } catch (IOException e) {
            why = HttpTransport.describe(e);
        }
        return chunked(session, resumePoint(session, why, wait), true);
    }

    /** PATCH chunks from {@code from}, then the closing PUT. */
    UploadResult.Method chunked(UploadSession session, long from, boolean resumed)
            throws RegistryException, SessionLost {
        long at = from;
        while (at < size) {
            long n = Math.min(Math.max(chunkSize, session.minChunk()), size - at);
            String why;
            Duration wait = null;
            try (Response r = session.patch(file, at, n, progress)) {
                int s = r.status();
                if (s >= 200 && s < 300) { // ECR answers 201; its Range may lag, so we count ourselves
                    session.follow(r);
                    at += n;
                    attempts.progressed(n);
                    continue;
                }
                if (s == 401 || s == 403) throw RegistryClient.pushDenied(r, ep);
                ErrorBody err = ErrorBody.read(r);
                rejectedUpload(s, err, resumed);
                if (s == 416) {
                    why = "registry refused the chunk at " + at + " (416)";
                } else if (transientStatus(s)) {
                    why = "chunk upload answered " + s;
                    wait = s == 429 ? RequestExecutor.retryAfter(r.header("Retry-After")) : null;
                } else {
                    if (resumed) throw new SessionLost("registry refused a resumed chunk: " + s + err.suffix());
                    throw refused("a chunk", s, err);
                }
            } catch (IOException e) {
                why = HttpTransport.describe(e);
            }
            at = resumePoint(session, why, wait);
            resumed = true;
        }
        while (true) {
            String why;
            Duration wait = null;
            try (Response r = session.close(digest, file, size, 0, progress)) {
                int s = r.status();
                if (s >= 200 && s < 300) {
                    checkServed(r);
                    return UploadResult.Method.CHUNKED;
                }
                if (s == 401 || s == 403) throw RegistryClient.pushDenied(r, ep);
                ErrorBody err = ErrorBody.read(r);
                rejectedUpload(s, err, resumed);
                if (!transientStatus(s)) throw refused("the end of the upload", s, err);
                why = "closing the upload answered " + s;
                wait = s == 429 ? RequestExecutor.retryAfter(r.header("Retry-After")) : null;
            } catch (IOException e) {
                why = HttpTransport.describe(e);
            }
            retryOrGiveUp(why, wait);
            resumes++;
        }
    }

    /**
     * After a broken or failed transfer: waits, then asks the registry how much of the blob it
     * holds. Throws {@link SessionLost} when the session is gone or its answer makes no sense.
     */
    private long resumePoint(UploadSession session, String why, Duration wait)
            throws RegistryException, SessionLost {
        retryOrGiveUp(why, wait);
        resumes++;
        OptionalLong held = session.held();
        if (held.isEmpty()) throw new SessionLost("upload session gone after: " + why, true);
        if (held.getAsLong() > size)
            throw new SessionLost("registry claims " + held.getAsLong() + " bytes of a " + size + "-byte blob", true);
        log.verbose(object() + ": " + why + "; registry holds " + held.getAsLong() + " bytes, resuming there");
        progress.accept(held.getAsLong());
        return held.getAsLong();
    }

    /**
     * Answers that end this session: it is unknown (404), or the bytes do not add up. After a
     * resume, a digest complaint may be our guess at the offset: start over cleanly. Otherwise it
     * is the file that does not match its digest.
     */
    private void rejectedUpload(int status, ErrorBody err, boolean resumed) throws RegistryException, SessionLost {
        String code = err.code();
        if (status == 404 || code.equals("BLOB_UPLOAD_UNKNOWN") || code.equals("BLOB_UPLOAD_INVALID"))
            throw new SessionLost("registry no longer knows the upload session: " + status + err.suffix());
        if (code.equals("DIGEST_INVALID") || code.equals("SIZE_INVALID")) {
            if (resumed) throw new SessionLost("resumed upload did not add up: " + status + err.suffix());
            throw new RegistryException("cannot upload " + object() + " to " + shown + ": registry says "
                    + file + " does not match its digest (" + code + ")",
                    "the file changed, or was corrupted on the way; try again", null);
        }
    }

    private RegistryException refused(String what, int status, ErrorBody err) {
        return new RegistryException("cannot upload " + object() + " to " + shown + ": registry refused "
                + what + ": " + status + err.suffix());
    }

    private static boolean transientStatus(int s) {
        return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
    }

    private void retryOrGiveUp(String why, Duration wait) throws RegistryException {
        boolean again;
        try {
            again = attempts.retry("uploading " + object(), why, wait);
        } catch (InterruptedIOException e) {
            throw new RegistryException("interrupted while uploading " + object(), e);
        }
        if (!again)
            throw new RegistryException("cannot upload " + object() + " to " + shown + ": " + why
                    + " (gave up after " + attempts.failures() + " tries)");
    }

    /** A Docker-Content-Digest that names another blob than ours means the registry stored something else. */
    void checkServed(Response r) throws RegistryException {
        String header = r.header("Docker-Content-Digest");
        if (header == null) return;
        try {
            Digest served = Digest.parse(header.trim());
            if (served.algorithm().equals(digest.algorithm()) && !served.equals(digest))
                throw new DigestMismatchException("blob uploaded to " + shown, digest, served);
        } catch (IllegalArgumentException e) {
            // unreadable header: the registry checked ?digest= itself
        }
    }
}
