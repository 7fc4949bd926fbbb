package chj.convert;

/** A conversion cannot be done: one line for the user naming what is at fault, and maybe a hint. */
public class ConvertException extends Exception {

    private final String hint;

    public ConvertException(String message) {
        this(message, null, null);
    }

    public ConvertException(String message, String hint) {
        this(message, hint, null);
    }

    public ConvertException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    /** What the user might do about it, or null. */
    public String hint() {
        return hint;
    }
}
