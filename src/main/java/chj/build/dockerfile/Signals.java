package chj.build.dockerfile;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Signal names and numbers STOPSIGNAL accepts on Linux, as Docker's signal table. */
final class Signals {

    private Signals() {}

    private static final Set<String> NAMES = new HashSet<>(Set.of("ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE",
            "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP",
            "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
            "RTMIN", "RTMAX"));

    static {
        for (int i = 1; i <= 15; i++) NAMES.add("RTMIN+" + i);
        for (int i = 1; i <= 14; i++) NAMES.add("RTMAX-" + i);
    }

    static boolean valid(String signal) {
        try {
            return Integer.parseInt(signal) != 0;
        } catch (NumberFormatException e) {
            String name = signal.toUpperCase(Locale.ROOT);
            if (name.startsWith("SIG")) name = name.substring(3);
            return NAMES.contains(name);
        }
    }
}
