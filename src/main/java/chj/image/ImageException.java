package chj.image;

/** An image operation failed; the message is one line for the user, naming what is at fault. */
public class ImageException extends Exception {
    private final String hint;

    public ImageException(String message) {
        this(message, null, null);
    }

    public ImageException(String message, String hint) {
        this(message, hint, null);
    }

    public ImageException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    /** A suggestion for the user, or null. */
    public String hint() {
        return hint;
    }
}
