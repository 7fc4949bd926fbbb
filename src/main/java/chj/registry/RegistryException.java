package chj.registry;

/**
 * Anything that went wrong talking to a registry. The message is one line that names the registry,
 * image reference or object at fault; {@link #hint()} is an optional second line for the user.
 */
public class RegistryException extends Exception {

    private final String hint;

    public RegistryException(String message) {
        this(message, null, null);
    }

    public RegistryException(String message, Throwable cause) {
        this(message, null, cause);
    }

    public RegistryException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    /** Advice for the user (e.g. "try --auth"), or null. */
    public String hint() {
        return hint;
    }
}
