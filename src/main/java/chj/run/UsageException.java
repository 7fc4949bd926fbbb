package chj.run;

/** A command-line error, reported argp-style ("ch-run: MSG" plus a hint), exit 64. */
public final class UsageException extends RunException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(EXIT_USAGE, message);
    }
}
