package chj.build.dockerfile;

import java.util.List;

/**
 * One instruction's text after joining continuation lines, with the map back to physical lines so
 * that any offset in {@link #text()} has a line and column.
 */
final class LogicalLine {

    /** The piece of {@code text} starting at {@code offset} comes from {@code line}, starting at {@code column0}. */
    record Segment(int offset, int line, int column0) {}

    private final String file;
    private final String text;
    private final List<Segment> segments;
    private final LineScanner scanner;

    LogicalLine(String file, String text, List<Segment> segments, LineScanner scanner) {
        this.file = file;
        this.text = text;
        this.segments = List.copyOf(segments);
        this.scanner = scanner;
    }

    String text() {
        return text;
    }

    int firstLine() {
        return segments.getFirst().line();
    }

    private Segment segmentAt(int offset) {
        Segment found = segments.getFirst();
        for (Segment s : segments) {
            if (s.offset() <= offset) found = s;
            else break;
        }
        return found;
    }

    SourceLocation locate(int offset) {
        Segment s = segmentAt(offset);
        return new SourceLocation(file, s.line(), s.column0() + (offset - s.offset()) + 1);
    }

    /** The physical line (without its line end) that {@code offset} falls in. */
    String physicalLine(int offset) {
        return scanner.physicalLine(segmentAt(offset).line());
    }

    ParseException error(int offset, String detail) {
        return new ParseException(locate(offset), physicalLine(offset), detail);
    }

    Source source(int offset, String originalText) {
        return new Source(locate(offset), originalText, physicalLine(offset));
    }
}
