package chj.build.dockerfile;

/**
 * A place in a Dockerfile: the file name as the user gave it, and a 1-based line and column. The
 * column counts UTF-16 units of the physical line, so a caret printed under that line lands right.
 */
public record SourceLocation(String file, int line, int column) {

    public SourceLocation {
        if (file == null) throw new IllegalArgumentException("file is null");
        if (line < 1 || column < 1) throw new IllegalArgumentException("line and column start at 1");
    }

    /** {@code file:line:column}, the form compilers use, so editors can jump to it. */
    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
