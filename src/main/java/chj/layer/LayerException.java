package chj.layer;

/**
 * A layer could not be unpacked: the tar is corrupt or truncated, or the image tree could not be
 * written. The message is one line that names the member and the problem.
 */
public class LayerException extends Exception {

    public LayerException(String message) {
        super(message);
    }

    public LayerException(String message, Throwable cause) {
        super(message, cause);
    }
}
