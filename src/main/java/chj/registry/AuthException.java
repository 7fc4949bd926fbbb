package chj.registry;

/** The registry or its token service refused our credentials, or asked for an unusable scheme. */
public final class AuthException extends RegistryException {
    public AuthException(String message, String hint) {
        super(message, hint, null);
    }

    public AuthException(String message, Throwable cause) {
        super(message, null, cause);
    }
}
