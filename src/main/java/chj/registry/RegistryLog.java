package chj.registry;

/**
 * Where the registry client's messages go; the CLI implements it. Levels match the CLI's verbosity:
 * INFO is shown by default, VERBOSE with -v, DEBUG with -vv, TRACE with -vvv. Messages never contain
 * secrets (passwords, tokens, Authorization values, signed-URL signatures).
 */
public interface RegistryLog {

    enum Level { INFO, VERBOSE, DEBUG, TRACE }

    /** Whether messages at this level are shown; lets the client skip building costly ones. */
    boolean enabled(Level level);

    /** One line, no trailing newline. May be called from several threads at once. */
    void log(Level level, String message);

    default void info(String message) {
        log(Level.INFO, message);
    }

    default void verbose(String message) {
        if (enabled(Level.VERBOSE)) log(Level.VERBOSE, message);
    }

    default void debug(String message) {
        if (enabled(Level.DEBUG)) log(Level.DEBUG, message);
    }

    default void trace(String message) {
        if (enabled(Level.TRACE)) log(Level.TRACE, message);
    }

    /** Discards everything. */
    static RegistryLog silent() {
        return new RegistryLog() {
            @Override
            public boolean enabled(Level level) {
                return false;
            }

            @Override
            public void log(Level level, String message) {}
        };
    }
}
