package chj.run;

import chj.run.sys.ErrnoException;
import chj.run.sys.Sys;

/**
 * Messages in Charliecloud's form, {@code ch-run[PID]: error: ...}, written straight to fd 2 as
 * bytes: no Java stream buffers that could be lost at execve, and names that are not UTF-8 print
 * as they are.
 */
final class Log {
    private Log() {}

    /** Negative: -q levels; positive: -v levels. */
    static int verbosity;

    private static String prefix() {
        return "ch-run[" + Sys.getpid() + "]: ";
    }

    static void error(String msg) {
        write(2, prefix() + "error: " + msg + "\n");
    }

    static void warning(String msg) {
        write(2, prefix() + "warning: " + msg + "\n");
    }

    /** -v and more. */
    static void info(String msg) {
        if (verbosity >= 1) write(2, prefix() + msg + "\n");
    }

    /** -vv and more. */
    static void debug(String msg) {
        if (verbosity >= 2) write(2, prefix() + msg + "\n");
    }

    static boolean debugging() {
        return verbosity >= 2;
    }

    /** Writes a byte string to a descriptor; output errors are ignored, as stdio would. */
    static void write(int fd, String text) {
        try {
            Sys.writeAll(fd, Sys.stringToBytes(text), "write");
        } catch (ErrnoException ignored) {
            // nowhere left to report it
        }
    }
}
