package chj.registry;

import java.io.InterruptedIOException;
import java.time.Duration;

/**
 * The tries left for one operation (a manifest, a blob, one Range part). Failures without progress
 * use them up; a download that got {@link #PROGRESS_BYTES} further since the last failure gets them
 * back, so a long transfer over a flaky link is not abandoned while it advances. A hard cap stops a
 * peer that always sends a little and then drops.
 */
final class Attempts {

    static final long PROGRESS_BYTES = 1 << 20;

    private final RetryPolicy policy;
    private final RegistryLog log;
    private int failures;
    private int totalFailures;
    private long progressSinceFailure;

    Attempts(RetryPolicy policy, RegistryLog log) {
        this.policy = policy;
        this.log = log;
    }

    /** Counts bytes that arrived; enough of them reset the failure count. */
    synchronized void progressed(long bytes) {
        progressSinceFailure += bytes;
        if (progressSinceFailure >= PROGRESS_BYTES) failures = 0;
    }

    /**
     * Records a failure and sleeps before the next try (for {@code wait} if given, e.g. Retry-After,
     * else the back-off). Returns false, without sleeping, when no try is left.
     */
    boolean retry(String what, String why, Duration wait) throws InterruptedIOException {
        Duration pause;
        synchronized (this) {
            failures++;
            totalFailures++;
            progressSinceFailure = 0;
            if (failures >= policy.attempts() || totalFailures >= policy.attempts() * 4) return false;
            pause = wait != null ? wait : policy.backoff(failures);
            log.verbose(what + ": " + why + "; retrying in " + pause.toMillis() + " ms (attempt "
                    + (failures + 1) + " of " + policy.attempts() + ")");
        }
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry " + what);
        }
        return true;
    }

    synchronized int failures() {
        return totalFailures;
    }
}
