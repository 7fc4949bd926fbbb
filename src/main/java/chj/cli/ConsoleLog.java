package chj.cli;

import chj.Log;
import java.io.PrintStream;

/**
 * Charliecloud's message conventions on stderr: {@code -q} hides info, {@code -qq} also warnings;
 * {@code -v}, {@code -vv}, {@code -vvv} add verbose, debug and trace lines. Errors are printed by the
 * command's main, never suppressed. {@code CH_LOG_FESTOON} adds the PID as Charliecloud does.
 */
public final class ConsoleLog implements Log {

    private final String program;
    private final int verbosity;   // -q… negative, -v… positive
    private final PrintStream err;
    private final String festoon;

    public ConsoleLog(String program, int verbosity, PrintStream err) {
        this.program = program;
        this.verbosity = verbosity;
        this.err = err;
        String f = System.getenv("CH_LOG_FESTOON");
        this.festoon = f != null && !f.isEmpty() ? "[" + ProcessHandle.current().pid() + "] " : "";
    }

    public int verbosity() {
        return verbosity;
    }

    @Override
    public void info(String m) {
        if (verbosity >= 0) line(m);
    }

    @Override
    public void warning(String m) {
        if (verbosity >= -1) line(program + ": warning: " + m);
    }

    @Override
    public void verbose(String m) {
        if (verbosity >= 1) line(m);
    }

    @Override
    public void debug(String m) {
        if (verbosity >= 2) line(m);
    }

    @Override
    public void trace(String m) {
        if (verbosity >= 3) line(m);
    }

    public void error(String m) {
        line(program + ": error: " + m);
    }

    public void hint(String m) {
        line(program + ": hint: " + m);
    }

    private void line(String m) {
        synchronized (err) {
            err.println(festoon + m);
            err.flush();
        }
    }
}
