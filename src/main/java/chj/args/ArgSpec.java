package chj.args;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * What one command takes: its options (flags, options with a value, options whose value is optional)
 * and its operands, each with what to do when it is given, and the help text made from them. The
 * actions run while {@link ArgParser} walks the command line, in the order the options appear, so a
 * later copy of an option wins, as with getopt.
 */
public final class ArgSpec {

    /** What to do with an option's value or an operand; may refuse it. */
    @FunctionalInterface
    public interface Action {
        void accept(String value) throws ArgException;
    }

    enum Takes { NOTHING, VALUE, OPTIONAL_VALUE }

    /**
     * @param shortName "-t", or null
     * @param longName "--tag", or null
     * @param nextIsValue for an optional value: whether the next argument is the value (else only
     *                    an attached one is: {@code --force=none})
     */
    record Option(String shortName, String longName, Takes takes, String label, String help, Action action,
                  Predicate<String> nextIsValue) {

        String displayName() {
            return longName != null ? longName : shortName;
        }

        /** "-t, --tag=TAG", "    --no-cache", "    --force[=MODE]". */
        String synopsis() {
            StringBuilder s = new StringBuilder(shortName != null ? shortName : "  ");
            if (longName != null) s.append(shortName != null ? ", " : "  ").append(longName);
            switch (takes) {
                case VALUE -> s.append(longName != null ? "=" : " ").append(label);
                case OPTIONAL_VALUE -> s.append(longName != null ? "[=" : "[").append(label).append(']');
                case NOTHING -> { }
            }
            return s.toString();
        }
    }

    /** {@code min} 0 or 1; {@code repeats}: takes all the operands left. */
    record Operand(String label, String help, boolean required, boolean repeats, Action action) {
        String synopsis() {
            String s = repeats ? label + "..." : label;
            return required ? s : "[" + s + "]";
        }
    }

    private final String command;
    private final String summary;
    private final List<Option> options = new ArrayList<>();
    private final List<Operand> operands = new ArrayList<>();

    /** @param command the command as typed, e.g. "ch-image pull" */
    public ArgSpec(String command, String summary) {
        this.command = command;
        this.summary = summary;
    }

    public String command() {
        return command;
    }

    public String summary() {
        return summary;
    }

    /** @param names "-v, --verbose", "--no-cache" or "-n" */
    public ArgSpec flag(String names, String help, Runnable action) {
        return add(names, Takes.NOTHING, null, help, v -> action.run(), null);
    }

    public ArgSpec value(String names, String label, String help, Action action) {
        return add(names, Takes.VALUE, label, help, action, null);
    }

    /**
     * An option whose value may be left out ({@code action} then gets null). The value is attached
     * ({@code --force=none}, {@code -Fnone}), or the next argument where {@code nextIsValue} says so,
     * so that {@code --force none} works and {@code --force .} leaves {@code .} an operand.
     */
    public ArgSpec optionalValue(String names, String label, String help, Predicate<String> nextIsValue, Action action) {
        return add(names, Takes.OPTIONAL_VALUE, label, help, action, nextIsValue);
    }

    public ArgSpec operand(String label, String help, Action action) {
        return addOperand(new Operand(label, help, true, false, action));
    }

    public ArgSpec optionalOperand(String label, String help, Action action) {
        return addOperand(new Operand(label, help, false, false, action));
    }

    /** One or more operands, each given to {@code action}. */
    public ArgSpec operands(String label, String help, Action action) {
        return addOperand(new Operand(label, help, true, true, action));
    }

    private ArgSpec add(String names, Takes takes, String label, String help, Action action, Predicate<String> nextIsValue) {
        String shortName = null;
        String longName = null;
        for (String n : names.split(",\\s*")) {
            if (n.startsWith("--") && n.length() > 2) longName = n;
            else if (n.length() == 2 && n.charAt(0) == '-' && n.charAt(1) != '-') shortName = n;
            else throw new IllegalArgumentException("bad option name: " + n);
            if (find(n) != null) throw new IllegalArgumentException("option declared twice: " + n);
        }
        options.add(new Option(shortName, longName, takes, label, help, action, nextIsValue));
        return this;
    }

    private ArgSpec addOperand(Operand o) {
        if (!operands.isEmpty() && operands.getLast().repeats())
            throw new IllegalArgumentException("no operand can follow " + operands.getLast().label() + "...");
        operands.add(o);
        return this;
    }

    /** The option named {@code name} ("-t" or "--tag"), or null. */
    Option find(String name) {
        for (Option o : options)
            if (name.equals(o.shortName()) || name.equals(o.longName())) return o;
        return null;
    }

    /** Hands {@code values} to the operands in order; too few or too many is an error. */
    public void bindOperands(List<String> values) throws ArgException {
        int next = 0;
        for (Operand o : operands) {
            if (next >= values.size()) {
                if (o.required()) throw new ArgException("missing " + o.label());
                continue;
            }
            do o.action().accept(values.get(next++));
            while (o.repeats() && next < values.size());
        }
        if (next < values.size()) throw new ArgException("unexpected argument: " + values.get(next));
    }

    /** "ch-image pull [OPTION...] IMAGE_REF [DEST_REF]". */
    public String usageLine() {
        StringBuilder s = new StringBuilder(command);
        if (!options.isEmpty()) s.append(" [OPTION...]");
        for (Operand o : operands) s.append(' ').append(o.synopsis());
        return s.toString();
    }

    /**
     * The help text: usage, summary, operands and options, then the options of {@code inherited}
     * (e.g. ch-image's global options) under their own heading.
     */
    public String help(String inheritedHeading, ArgSpec inherited) {
        StringBuilder s = new StringBuilder("Usage: ").append(usageLine()).append("\n\n").append(summary).append('\n');
        if (!operands.isEmpty()) {
            s.append("\nArguments:\n");
            for (Operand o : operands) row(s, o.label() + (o.repeats() ? "..." : ""), o.help());
        }
        if (!options.isEmpty()) {
            s.append("\nOptions:\n");
            optionRows(s);
        }
        if (inherited != null && !inherited.options.isEmpty()) {
            s.append('\n').append(inheritedHeading).append(":\n");
            inherited.optionRows(s);
        }
        return s.toString();
    }

    private void optionRows(StringBuilder s) {
        for (Option o : options) row(s, o.synopsis(), o.help());
    }

    private static final int HELP_COLUMN = 28;

    /** argp's layout: the name, then its help from column 30, or on a line of its own if too long. */
    static void row(StringBuilder s, String left, String help) {
        s.append("  ").append(left);
        if (left.length() <= HELP_COLUMN - 2) s.append(" ".repeat(HELP_COLUMN - left.length()));
        else s.append('\n').append(" ".repeat(HELP_COLUMN + 2));
        s.append(help).append('\n');
    }

    /** {@code value} as a whole number at least {@code min}, else an error naming {@code option}. */
    public static int integer(String option, String value, int min) throws ArgException {
        try {
            int n = Integer.parseInt(value);
            if (n >= min) return n;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new ArgException(option + ": expected a whole number >= " + min + ", not '" + value + "'");
    }
}
