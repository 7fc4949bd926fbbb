package chj.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON text exactly as Python's {@code json.dumps(obj, indent=2, sort_keys=True)} writes it, which
 * is how Charliecloud writes {@code ch/metadata.json}: tools that grep or diff that file see the
 * same bytes from chj.
 */
final class PythonJson {

    private PythonJson() {}

    static String dumps(JsonNode node) {
        StringBuilder b = new StringBuilder();
        write(b, node, 0);
        return b.toString();
    }

    private static void write(StringBuilder b, JsonNode n, int level) {
        switch (n.getNodeType()) {
            case OBJECT -> {
                if (n.isEmpty()) {
                    b.append("{}");
                    return;
                }
                List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
                n.properties().forEach(entries::add);
                entries.sort((x, y) -> compareCodePoints(x.getKey(), y.getKey()));
                b.append("{\n");
                for (int i = 0; i < entries.size(); i++) {
                    indent(b, level + 1);
                    string(b, entries.get(i).getKey());
                    b.append(": ");
                    write(b, entries.get(i).getValue(), level + 1);
                    b.append(i + 1 < entries.size() ? ",\n" : "\n");
                }
                indent(b, level);
                b.append('}');
            }
            case ARRAY -> {
                if (n.isEmpty()) {
                    b.append("[]");
                    return;
                }
                b.append("[\n");
                for (int i = 0; i < n.size(); i++) {
                    indent(b, level + 1);
                    write(b, n.get(i), level + 1);
                    b.append(i + 1 < n.size() ? ",\n" : "\n");
                }
                indent(b, level);
                b.append(']');
            }
            case STRING -> string(b, n.textValue());
            case BOOLEAN -> b.append(n.booleanValue() ? "true" : "false");
            case NULL, MISSING -> b.append("null");
            case NUMBER -> b.append(n.isIntegralNumber() ? n.bigIntegerValue().toString() : pythonFloat(n.doubleValue()));
            default -> b.append(n.toString());
        }
    }

    private static void indent(StringBuilder b, int level) {
        b.append(" ".repeat(2 * level));
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i), cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** ensure_ascii=True: only printable ASCII stays as is; the rest as \\uXXXX of its UTF-16 units. */
    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c >= 0x20 && c <= 0x7e) b.append(c);
                    else b.append(String.format("\\u%04x", (int) c));
                }
            }
        }
        b.append('"');
    }

    /**
     * The shortest decimal that reads back as {@code d}. Java's Double.toString is shortest too, but
     * never prints fewer than two digits (4.9E-324 where Python prints 5e-324).
     */
    private static BigDecimal shortest(double d) {
        BigDecimal java = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        for (int p = 1; p < java.precision(); p++) {
            BigDecimal r = java.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (r.doubleValue() == d) return r.stripTrailingZeros();
        }
        return java;
    }

    /** Python's repr(float): shortest digits, fixed notation for 1e-4 ≤ |x| < 1e16, else d.ddde±XX. */
    static String pythonFloat(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        String sign = d < 0 ? "-" : "";
        BigDecimal v = shortest(Math.abs(d));
        String digits = v.unscaledValue().toString();
        int decpt = digits.length() - v.scale(); // digits before the decimal point
        if (decpt <= -4 || decpt > 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            int exp = decpt - 1;
            return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }
        if (decpt <= 0) return sign + "0." + "0".repeat(-decpt) + digits;
        if (decpt >= digits.length()) return sign + digits + "0".repeat(decpt - digits.length()) + ".0";
        return sign + digits.substring(0, decpt) + "." + digits.substring(decpt);
    }
}
