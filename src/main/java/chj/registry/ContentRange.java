package chj.registry;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code Content-Range: bytes START-END/TOTAL} header; {@code total} is -1 for {@code *}. */
record ContentRange(long start, long end, long total) {

    private static final Pattern FORM = Pattern.compile("\\s*(?:bytes\\s+)?(\\d+)-(\\d+)/(\\d+|\\*)\\s*");

    /** Null when absent or malformed. */
    static ContentRange parse(String header) {
        if (header == null) return null;
        Matcher m = FORM.matcher(header);
        if (!m.matches()) return null;
        try {
            long start = Long.parseLong(m.group(1));
            long end = Long.parseLong(m.group(2));
            long total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            if (end < start || (total >= 0 && end >= total)) return null;
            return new ContentRange(start, end, total);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
