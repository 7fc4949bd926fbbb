package chj.registry;

import java.util.function.LongConsumer;

/**
 * Watches one blob download: {@link #progressed} feeds progress displays, {@link #written} lets a
 * reader follow the part file while it grows, so that a layer unpacks during its download instead
 * of after it. Called from download threads: implementations must be thread-safe and quick.
 */
@FunctionalInterface
public interface DownloadListener {

    /** Bytes downloaded so far, all parallel parts together; drops to 0 when the download starts over. */
    void progressed(long total);

    /**
     * The part file's bytes {@code [0, length)} are written, in order, as the registry sent them.
     * They are not verified yet (the blob's digest is checked once the download ends), so whoever
     * reads them early must check them too. A smaller value than before means the part file was
     * emptied and is being written again.
     */
    default void written(long length) {}

    /** A listener for progress only. */
    static DownloadListener of(LongConsumer progress) {
        return progress == null ? total -> {} : progress::accept;
    }
}
