package chj.oci;

/**
 * An OCI document (manifest, index, config) or a platform request that cannot be used. The message
 * names the document and the fault in one line; {@link #hint()} may say what the user can do.
 */
public class OciException extends Exception {

    private final String hint;

    public OciException(String message) {
        this(message, null, null);
    }

    public OciException(String message, String hint) {
        this(message, hint, null);
    }

    public OciException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    /** What the user might do about it, or null. */
    public String hint() {
        return hint;
    }
}
