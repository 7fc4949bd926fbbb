package chj.build.dockerfile;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

/** Durations as Go writes them ({@code 30s}, {@code 1m30s}, {@code 1.5h}, {@code 250ms}): HEALTHCHECK's flags. */
final class GoDuration {

    private GoDuration() {}

    private static final Map<String, Long> UNITS = Map.of("ns", 1L, "us", 1_000L, "\u00b5s", 1_000L, "\u03bcs", 1_000L,
            "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    /** @throws IllegalArgumentException with Go's message */
    static Duration parse(String text) {
        String s = text;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) return Duration.ZERO;
        if (s.isEmpty()) throw invalid(text);
        BigDecimal total = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) i++;
            String number = s.substring(start, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) throw invalid(text);
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') i++;
            String unit = s.substring(unitStart, i);
            if (unit.isEmpty()) throw new IllegalArgumentException("time: missing unit in duration " + Words.quote(text));
            Long nanos = UNITS.get(unit);
            if (nanos == null)
                throw new IllegalArgumentException("time: unknown unit " + Words.quote(unit) + " in duration " + Words.quote(text));
            total = total.add(new BigDecimal(number.startsWith(".") ? "0" + number : number).multiply(BigDecimal.valueOf(nanos)));
        }
        if (total.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) throw invalid(text);
        long nanos = total.longValue();
        return Duration.ofNanos(negative ? -nanos : nanos);
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("time: invalid duration " + Words.quote(text));
    }

    /** Go's {@code Duration.String()}-like rendering, e.g. {@code 1m30s}, for history text. */
    static String format(Duration d) {
        if (d.isZero()) return "0s";
        long n = d.toNanos();
        StringBuilder b = new StringBuilder();
        if (n < 0) {
            b.append('-');
            n = -n;
        }
        if (n < 1_000_000_000L) {
            if (n % 1_000_000 == 0) return b.append(n / 1_000_000).append("ms").toString();
            if (n % 1_000 == 0) return b.append(n / 1_000).append("us").toString();
            return b.append(n).append("ns").toString();
        }
        long h = n / 3_600_000_000_000L;
        long m = n / 60_000_000_000L % 60;
        BigDecimal sec = BigDecimal.valueOf(n % 60_000_000_000L).movePointLeft(9).stripTrailingZeros();
        if (h > 0) b.append(h).append('h');
        if (h > 0 || m > 0) b.append(m).append('m');
        return b.append(sec.toPlainString()).append('s').toString();
    }
}
