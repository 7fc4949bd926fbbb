package chj.store;

/**
 * The storage directory cannot be used as asked: a foreign or damaged layout, a lock or rename
 * that failed, a missing or corrupt blob. The message names the path at fault; {@link #hint()} may
 * say what to do.
 */
public class StoreException extends Exception {

    private final String hint;

    public StoreException(String message) {
        this(message, null, null);
    }

    public StoreException(String message, String hint) {
        this(message, hint, null);
    }

    public StoreException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    /** What the user might do about it, or null. */
    public String hint() {
        return hint;
    }

    /** Wraps an I/O failure with what was being done, e.g. {@code io("can't publish image", path, e)}. */
    static StoreException io(String doing, Object path, java.io.IOException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
        return new StoreException(doing + ": " + path + ": " + why, null, e);
    }
}
