package chj.registry;

import chj.oci.Digest;

/** Downloaded bytes do not hash to the digest they were asked for by; nothing was published. */
public final class DigestMismatchException extends RegistryException {

    private final String object;
    private final Digest expected;
    private final Digest actual;

    /** {@code object} names what was downloaded, e.g. {@code "blob sha256:…"} or {@code "manifest alpine:3.19"}. */
    public DigestMismatchException(String object, Digest expected, Digest actual) {
        super(object + ": digest mismatch: expected " + expected + ", got " + actual,
                "the registry or something between it and us corrupted the data; try again", null);
        this.object = object;
        this.expected = expected;
        this.actual = actual;
    }

    public String object() {
        return object;
    }

    public Digest expected() {
        return expected;
    }

    public Digest actual() {
        return actual;
    }
}
