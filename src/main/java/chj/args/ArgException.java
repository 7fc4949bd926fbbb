package chj.args;

/** A command line the command can't take: one line for the user, who is then pointed to --help. */
public final class ArgException extends Exception {
    public ArgException(String message) {
        super(message);
    }
}
