package chj.image;

/** Progress of parallel blob downloads, for a progress bar. Called from several threads. */
public interface TransferProgress {

    /** A transfer of {@code total} bytes (-1 if unknown) begins. */
    void started(String id, long total);

    /** {@code bytes} more bytes arrived. */
    void advanced(String id, long bytes);

    /** The transfer is complete (or abandoned). */
    void finished(String id);

    TransferProgress NONE = new TransferProgress() {
        @Override public void started(String id, long total) {}
        @Override public void advanced(String id, long bytes) {}
        @Override public void finished(String id) {}
    };
}
