package chj.ocirt;

/**
 * An OCI runtime operation that cannot be done: a bundle chj cannot run, an unknown container, an
 * operation the container's state forbids. The message names the thing at fault in one line;
 * {@link #hint()} may say what the caller can do.
 */
public class OciRuntimeException extends Exception {

    private final String hint;

    public OciRuntimeException(String message) {
        this(message, null, null);
    }

    public OciRuntimeException(String message, String hint) {
        this(message, hint, null);
    }

    public OciRuntimeException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    /** What the caller might do about it, or null. */
    public String hint() {
        return hint;
    }
}
