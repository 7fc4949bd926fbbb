package chj.build.dockerfile;

/**
 * Where an instruction came from: the location of its keyword, its logical line as written
 * (continuation lines joined, comments between them dropped, heredoc bodies not included), and the
 * physical line its keyword is on, for carets.
 */
public record Source(SourceLocation location, String text, String line) {

    /** An error at this instruction's keyword. */
    public ParseException error(String detail) {
        return new ParseException(location, line, detail);
    }
}
