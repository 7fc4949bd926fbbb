package chj;

/**
 * Where library code reports what it is doing. The CLI decides what reaches the terminal: {@code -q}
 * hides info, {@code -v}…{@code -vvv} add verbose, debug and trace. Implementations must be thread-safe;
 * callers never pass secrets.
 */
public interface Log {

    void info(String message);

    void warning(String message);

    /** -v */
    void verbose(String message);

    /** -vv */
    void debug(String message);

    /** -vvv */
    void trace(String message);

    /** A log that drops everything; for tests and library use without a terminal. */
    Log SILENT = new Log() {
        @Override public void info(String m) {}
        @Override public void warning(String m) {}
        @Override public void verbose(String m) {}
        @Override public void debug(String m) {}
        @Override public void trace(String m) {}
    };
}
