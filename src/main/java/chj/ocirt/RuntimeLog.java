package chj.ocirt;

import chj.Log;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * runc's logging conventions, which Buildah's {@code --runtime-flag log=…} and {@code debug} expect:
 * messages go to the {@code --log} file (appended) or else to stderr, as logrus text
 * ({@code time="…" level=debug msg="…"}) or, with {@code --log-format=json}, one JSON object a line.
 * Debug lines appear only with {@code --debug}. Errors also always reach stderr, where Buildah
 * shows them.
 */
final class RuntimeLog implements Log {

    enum Format { TEXT, JSON }

    private final PrintStream out;
    private final boolean toStderr;
    private final Format format;
    private final boolean debug;

    private RuntimeLog(PrintStream out, boolean toStderr, Format format, boolean debug) {
        this.out = out;
        this.toStderr = toStderr;
        this.format = format;
        this.debug = debug;
    }

    /** A log to {@code file} (null: stderr). */
    static RuntimeLog open(String file, Format format, boolean debug) throws OciRuntimeException {
        if (file == null || file.isEmpty()) return new RuntimeLog(System.err, true, format, debug);
        try {
            OutputStream s = new FileOutputStream(file, true);
            return new RuntimeLog(new PrintStream(s, true, StandardCharsets.UTF_8), false, format, debug);
        } catch (IOException e) {
            throw new OciRuntimeException("--log: can't open " + file + ": " + e.getMessage());
        }
    }

    /** A log to stderr in text format, for messages before the options are known. */
    static RuntimeLog stderr(boolean debug) {
        return new RuntimeLog(System.err, true, Format.TEXT, debug);
    }

    boolean debugging() {
        return debug;
    }

    @Override
    public void info(String m) {
        write("info", m);
    }

    @Override
    public void warning(String m) {
        write("warning", m);
    }

    @Override
    public void verbose(String m) {
        if (debug) write("debug", m);
    }

    @Override
    public void debug(String m) {
        if (debug) write("debug", m);
    }

    @Override
    public void trace(String m) {
        if (debug) write("debug", m);
    }

    /** An error: on stderr in Charliecloud's form (Buildah shows it), and in the log file if there is one. */
    void error(String m, String hint) {
        if (!toStderr) write("error", m + (hint == null ? "" : " (hint: " + hint + ")"));
        System.err.println("ch-run-oci: error: " + m);
        if (hint != null) System.err.println("ch-run-oci: hint: " + hint);
        System.err.flush();
    }

    private void write(String level, String m) {
        String line;
        if (format == Format.JSON) {
            Map<String, String> o = new LinkedHashMap<>();
            o.put("level", level);
            o.put("msg", m);
            o.put("time", Instant.now().toString());
            line = Json.write(o, false);
        } else if (toStderr) {
            line = "ch-run-oci: " + (level.equals("info") ? "" : level + ": ") + m;
        } else {
            line = "time=\"" + Instant.now() + "\" level=" + level + " msg=\"" + quote(m) + "\"";
        }
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    private static String quote(String m) {
        return m.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
