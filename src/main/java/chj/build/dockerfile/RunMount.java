package chj.build.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A {@code RUN --mount=…} value, after variable substitution: {@code type=bind|cache|tmpfs|secret|ssh}
 * and the options Docker defines for them. Whether the executor supports a type is its business;
 * this record only says what was asked for.
 *
 * @param from stage name or index, or image, to bind from; null for the build context
 * @param readOnly Docker's default: bind, secret and ssh read-only, cache and tmpfs writable
 * @param sizeBytes tmpfs size, 0 when not given
 * @param mode octal permission bits, or null
 */
public record RunMount(String type, String from, String source, String target, boolean readOnly, String id,
        String sharing, long sizeBytes, Integer mode, Integer uid, Integer gid, boolean required, String env) {

    private static final Set<String> TYPES = Set.of("bind", "cache", "tmpfs", "secret", "ssh");
    private static final Set<String> SHARING = Set.of("shared", "private", "locked");
    private static final Set<String> KEYS = Set.of("type", "from", "source", "src", "target", "dst", "destination",
            "readonly", "ro", "readwrite", "rw", "required", "size", "id", "sharing", "mode", "uid", "gid", "env");

    /** Substitutes variables in a value; {@code null} means parse-time checking only. */
    interface ValueExpander {
        String expand(String value) throws ParseException;
    }

    /**
     * Parses a mount value (comma-separated, CSV quoting). With {@code expander} null it only checks
     * what can be checked before substitution (fields without variables) and returns null.
     *
     * @throws ParseException without location; the caller adds it
     */
    static RunMount parse(String value, ValueExpander expander) throws ParseException {
        String type = "bind";
        String from = null, source = null, target = null, id = null, sharing = null, env = null;
        Integer mode = null, uid = null, gid = null;
        long size = 0;
        boolean readOnly = false, roAuto = true, required = false;
        for (String field : csvFields(value)) {
            int eq = field.indexOf('=');
            String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT);
            if (eq < 0) {
                if (expander == null) continue;
                switch (key) {
                    case "readonly", "ro" -> {
                        readOnly = true;
                        roAuto = false;
                    }
                    case "readwrite", "rw" -> {
                        readOnly = false;
                        roAuto = false;
                    }
                    case "required" -> {
                        if (!type.equals("secret") && !type.equals("ssh"))
                            throw new ParseException("unexpected key '" + key + "' for mount type '" + type + "'");
                        required = true;
                    }
                    default -> throw new ParseException("invalid field '" + field + "' must be a key=value pair");
                }
                continue;
            }
            String v = field.substring(eq + 1);
            if (!KEYS.contains(key)) throw new ParseException("unexpected key '" + key + "' in '" + field + "'");
            if (expander == null) {
                if (key.equals("from") && v.indexOf('$') >= 0 && v.indexOf('$') != v.length() - 1)
                    throw new ParseException("'from' doesn't support variable expansion, define alias stage instead");
                if (v.indexOf('$') >= 0) continue;
            } else {
                v = expander.expand(v);
            }
            switch (key) {
                case "type" -> {
                    type = v.toLowerCase(Locale.ROOT);
                    if (!TYPES.contains(type)) throw new ParseException("unsupported mount type " + Words.quote(v));
                }
                case "from" -> from = v;
                case "source", "src" -> source = v;
                case "target", "dst", "destination" -> target = v;
                case "readonly", "ro" -> {
                    readOnly = parseBool(key, v);
                    roAuto = false;
                }
                case "readwrite", "rw" -> {
                    readOnly = !parseBool(key, v);
                    roAuto = false;
                }
                case "required" -> {
                    if (!type.equals("secret") && !type.equals("ssh"))
                        throw new ParseException("unexpected key '" + key + "' for mount type '" + type + "'");
                    required = parseBool(key, v);
                }
                case "size" -> {
                    if (!type.equals("tmpfs")) throw new ParseException("unexpected key '" + key + "' for mount type '" + type + "'");
                    size = parseSize(v);
                }
                case "id" -> id = v;
                case "sharing" -> {
                    sharing = v.toLowerCase(Locale.ROOT);
                    if (!SHARING.contains(sharing)) throw new ParseException("unsupported sharing value " + Words.quote(v));
                }
                case "mode" -> mode = parseNumber(v, 8, "mode");
                case "uid" -> uid = parseNumber(v, 10, "uid");
                case "gid" -> gid = parseNumber(v, 10, "gid");
                case "env" -> env = v;
                default -> throw new ParseException("unexpected key '" + key + "' in '" + field + "'");
            }
        }
        if (expander == null) return null;
        boolean fileInfoAllowed = type.equals("secret") || type.equals("ssh") || type.equals("cache");
        if (!fileInfoAllowed) {
            if (mode != null) throw new ParseException("mode not allowed for \"" + type + "\" type mounts");
            if (uid != null) throw new ParseException("uid not allowed for \"" + type + "\" type mounts");
            if (gid != null) throw new ParseException("gid not allowed for \"" + type + "\" type mounts");
        }
        if (roAuto) readOnly = !(type.equals("cache") || type.equals("tmpfs"));
        if (type.equals("secret")) {
            if (from != null) throw new ParseException("secret mount should not have a from");
            if (sharing != null) throw new ParseException("secret mount should not define sharing");
            if (source == null && target == null && id == null)
                throw new ParseException("invalid secret mount. one of source, target required");
            if (source != null && id != null) throw new ParseException("both source and id can't be set");
        }
        if (sharing != null && !type.equals("cache")) throw new ParseException("invalid cache sharing set for " + type + " mount");
        if ((type.equals("bind") || type.equals("cache") || type.equals("tmpfs")) && (target == null || target.isEmpty()))
            throw new ParseException("mount type=" + type + " needs a target");
        return new RunMount(type, from, source, target, readOnly, id, sharing, size, mode, uid, gid, required, env);
    }

    /** The stage or image a mount reads from, known before substitution, or null. */
    static String fromOf(String value) throws ParseException {
        for (String field : csvFields(value)) {
            int eq = field.indexOf('=');
            if (eq > 0 && field.substring(0, eq).equalsIgnoreCase("from")) return field.substring(eq + 1);
        }
        return null;
    }

    /** Splits at commas; a field in double quotes may hold commas, and {@code ""} inside it is one quote. */
    static List<String> csvFields(String value) throws ParseException {
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false, wasQuoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < value.length() && value.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(c);
                }
            } else if (c == '"' && (field.isEmpty() || wasQuoted)) {
                quoted = true;
                wasQuoted = true;
            } else if (c == ',') {
                out.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
            } else {
                field.append(c);
            }
        }
        if (quoted) throw new ParseException("failed to parse csv mounts: unterminated quote in " + Words.quote(value));
        out.add(field.toString());
        return out;
    }

    private static boolean parseBool(String key, String v) throws ParseException {
        return switch (v) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> throw new ParseException("invalid value for " + key + ": " + v);
        };
    }

    private static Integer parseNumber(String v, int radix, String what) throws ParseException {
        try {
            long n = Long.parseLong(v, radix);
            if (n < 0 || n > 0xFFFFFFFFL) throw new NumberFormatException();
            return (int) n;
        } catch (NumberFormatException e) {
            throw new ParseException("invalid value " + v + " for " + what);
        }
    }

    /** {@code 64m}, {@code 1g}, {@code 512k}, {@code 1024}: binary units as Docker's RAMInBytes. */
    static long parseSize(String v) throws ParseException {
        var m = java.util.regex.Pattern.compile("(?i)(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(i?b)?").matcher(v.trim());
        if (!m.matches()) throw new ParseException("invalid value for size: " + v);
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        int power = unit.isEmpty() ? 0 : "kmgtp".indexOf(unit) + 1;
        return (long) (n * Math.pow(1024, power));
    }
}
