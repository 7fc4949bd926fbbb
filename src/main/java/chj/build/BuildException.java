package chj.build;

/** A build that cannot go on: bad input, a failing instruction, or a store or layer fault on the way. */
public final class BuildException extends Exception {

    private final String hint;

    public BuildException(String message) {
        this(message, null, null);
    }

    public BuildException(String message, String hint) {
        this(message, hint, null);
    }

    public BuildException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    /** Something the user can do about it, or null. */
    public String hint() {
        return hint;
    }
}
