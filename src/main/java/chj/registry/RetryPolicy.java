package chj.registry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How hard to try before giving up on a request: {@code attempts} tries in all for 5xx answers,
 * connection resets and timeouts, with exponential back-off between {@code initialBackoff} and
 * {@code maxBackoff} (randomised, so parallel downloads do not retry in lock-step). A 429's
 * Retry-After is honoured when it is at most {@code maxRetryAfter}; a longer one fails at once.
 * A download that makes progress between failures gets its attempts back.
 */
public record RetryPolicy(int attempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {

    public RetryPolicy {
        if (attempts < 1) throw new IllegalArgumentException("attempts must be at least 1: " + attempts);
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0)
            throw new IllegalArgumentException("bad back-off: " + initialBackoff + ".." + maxBackoff);
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(6, Duration.ofMillis(500), Duration.ofSeconds(20), Duration.ofSeconds(120));
    }

    /** Pause before try number {@code failures + 1}, after {@code failures} failed tries (1-based). */
    public Duration backoff(int failures) {
        long base = initialBackoff.toMillis() << Math.min(failures - 1, 20);
        long capped = Math.min(Math.max(base, 0), maxBackoff.toMillis());
        long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        return Duration.ofMillis(jittered);
    }
}
