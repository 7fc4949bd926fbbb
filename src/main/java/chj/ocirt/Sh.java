package chj.ocirt;

/** Quoting for the sh fragments the holder sources. */
final class Sh {
    private Sh() {}

    /** One sh word that stands for {@code s} exactly: single quotes, each ' written as '\''. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
