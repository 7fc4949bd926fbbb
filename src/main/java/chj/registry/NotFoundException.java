package chj.registry;

/**
 * The registry does not have the manifest, blob or repository asked for, or will not say whether it
 * does: registries answer 401, 403 or 400 for missing content to avoid leaking what exists.
 */
public final class NotFoundException extends RegistryException {
    public NotFoundException(String message, String hint) {
        super(message, hint, null);
    }
}
