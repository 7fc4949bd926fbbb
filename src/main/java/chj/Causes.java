package chj;

/** Questions about an exception's cause chain. */
public final class Causes {

    private Causes() {}

    /** Whether {@code t} or one of its causes is a {@code kind}. */
    public static boolean causedBy(Throwable t, Class<? extends Throwable> kind) {
        for (Throwable c = t; c != null; c = c.getCause())
            if (kind.isInstance(c)) return true;
        return false;
    }
}
