package chj.registry;

/**
 * What a request carries in its Authorization header. {@code header} is null for anonymous requests;
 * {@code fresh} marks a token fetched for this very request (a 401 with it is final);
 * {@code credential} is the credential it was obtained with, or null.
 */
record Authorization(String header, boolean fresh, Credential credential) {

    static final Authorization ANONYMOUS = new Authorization(null, false, null);

    boolean withCredentials() {
        return credential != null;
    }
}
