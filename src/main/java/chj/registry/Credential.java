package chj.registry;

/**
 * A user name and secret for one registry, and where they came from (for messages). A user name of
 * {@code <token>} marks an identity token (a refresh token from {@code docker login} to OAuth2
 * registries) rather than a password. {@link #toString()} never shows the secret.
 */
public record Credential(String username, String secret, String origin) {

    public static final String IDENTITY_TOKEN_USER = "<token>";

    public boolean isIdentityToken() {
        return IDENTITY_TOKEN_USER.equals(username);
    }

    @Override
    public String toString() {
        return "Credential[" + username + " from " + origin + "]";
    }
}
