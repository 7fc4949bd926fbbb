package chj.registry;

import java.util.Optional;

/**
 * Finds credentials for a registry. The client asks lazily, only when a registry challenges it, and
 * at most once per registry and process. Implementations must be thread-safe; the CLI may chain
 * its own (e.g. an interactive prompt) after {@link CredentialChain#standard}.
 */
@FunctionalInterface
public interface CredentialSource {

    /**
     * Credentials for {@code authority} ({@code host} or {@code host:port} as requests use it, e.g.
     * {@code registry-1.docker.io}), for pulling or pushing {@code repository} there (some stores key
     * credentials by repository path). Empty when this source has none.
     */
    Optional<Credential> find(String authority, String repository) throws RegistryException;

    /** Anonymous access only (Charliecloud's default without --auth). */
    static CredentialSource none() {
        return (authority, repository) -> Optional.empty();
    }
}
