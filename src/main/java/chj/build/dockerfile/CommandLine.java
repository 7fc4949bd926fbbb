package chj.build.dockerfile;

import java.util.ArrayList;
import java.util.List;

/** The command of RUN, CMD or ENTRYPOINT: a JSON array (exec form) or a string for the shell (shell form). */
public sealed interface CommandLine {

    /** {@code ["prog", "arg"]}: run as given, no shell, no variable substitution. */
    record Exec(List<String> argv) implements CommandLine {
        public Exec {
            argv = List.copyOf(argv);
        }
    }

    /** {@code prog arg}: handed to the current SHELL as one string. */
    record Shell(String script) implements CommandLine {}

    /** The argv to execute: exec form as is, shell form appended to {@code shell} (e.g. {@code /bin/sh -c}). */
    default List<String> argv(List<String> shell) {
        return switch (this) {
            case Exec e -> e.argv();
            case Shell s -> {
                List<String> out = new ArrayList<>(shell);
                out.add(s.script());
                yield List.copyOf(out);
            }
        };
    }
}
