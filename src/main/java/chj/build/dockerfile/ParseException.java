package chj.build.dockerfile;

/**
 * A Dockerfile that cannot be built: bad syntax, a bad variable substitution, a stage or argument
 * that does not fit. The message is one line, {@code file:line:column: what is wrong} when the fault
 * has a place (a {@code --target} or {@code --build-arg} fault has none). {@link #caret()} shows the
 * offending line with a caret under the column.
 */
public class ParseException extends Exception {

    private final SourceLocation location;
    private final String sourceLine;
    private final String detail;

    /** A fault with no place in the file. */
    public ParseException(String detail) {
        this(null, null, detail);
    }

    /**
     * @param location where, or null
     * @param sourceLine the physical line {@code location} points into, or null
     */
    public ParseException(SourceLocation location, String sourceLine, String detail) {
        super(location == null ? detail : location + ": " + detail);
        this.location = location;
        this.sourceLine = sourceLine;
        this.detail = detail;
    }

    /** Where, or null. */
    public SourceLocation location() {
        return location;
    }

    /** The message without the location. */
    public String detail() {
        return detail;
    }

    /** The physical line at fault, or null. */
    public String sourceLine() {
        return sourceLine;
    }

    /**
     * The offending line and, beneath it, a caret under the column; tabs before the column are kept
     * so the caret lines up in a terminal. Empty when the fault has no place.
     */
    public String caret() {
        if (location == null || sourceLine == null) return "";
        StringBuilder pad = new StringBuilder();
        int upTo = Math.min(location.column() - 1, sourceLine.length());
        for (int i = 0; i < upTo; i++) pad.append(sourceLine.charAt(i) == '\t' ? '\t' : ' ');
        pad.append(" ".repeat(Math.max(0, location.column() - 1 - upTo)));
        return sourceLine + "\n" + pad + "^";
    }

    /** {@link #getMessage()} followed by {@link #caret()} on the next lines, when there is one. */
    public String render() {
        String c = caret();
        return c.isEmpty() ? getMessage() : getMessage() + "\n" + c;
    }
}
