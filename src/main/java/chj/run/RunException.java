package chj.run;

/** ch-run cannot go on: a message for the user and the exit status Charliecloud uses for it. */
public class RunException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Miscellaneous ch-run failure. */
    public static final int EXIT_MISC = 31;
    /** execve(2) of the command failed. */
    public static final int EXIT_CMD = 49;
    /** Bad command line. */
    public static final int EXIT_USAGE = 64;

    private final int exitCode;

    public RunException(String message) {
        this(EXIT_MISC, message);
    }

    public RunException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() { return exitCode; }
}
