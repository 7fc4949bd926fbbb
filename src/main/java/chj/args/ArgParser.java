package chj.args;

import java.util.List;

/**
 * The getopt grammar, as Charliecloud's users type it: clustered short flags ({@code -vv}), values
 * attached or separate ({@code -tX}, {@code -t X}, {@code --tag=X}, {@code --tag X}), options before
 * and after operands, and {@code --} ending the options. Several specs can take part: the first that
 * knows an option takes it (a subcommand's own options, then the global ones).
 */
public final class ArgParser {
    private ArgParser() {}

    /**
     * Parses {@code args} from {@code from}, running the options' actions and adding operands to
     * {@code operands}. With {@code stopAtOperand} it stops at the first operand (a subcommand's
     * name) and returns its index; else it parses to the end and returns {@code args.length}.
     */
    public static int parse(String[] args, int from, List<ArgSpec> specs, List<String> operands, boolean stopAtOperand)
            throws ArgException {
        int i = from;
        while (i < args.length) {
            String a = args[i];
            if (a.equals("--")) {
                if (stopAtOperand) return i + 1 < args.length ? i + 1 : args.length;
                for (i++; i < args.length; i++) operands.add(args[i]);
                break;
            }
            if (a.startsWith("--")) {
                i = longOption(args, i, specs);
            } else if (a.startsWith("-") && a.length() > 1) {
                i = shortOptions(args, i, specs);
            } else {
                if (stopAtOperand) return i;
                operands.add(a);
                i++;
            }
        }
        return i;
    }

    /** Returns the index of the argument after the option (and its value). */
    private static int longOption(String[] args, int i, List<ArgSpec> specs) throws ArgException {
        String a = args[i];
        int eq = a.indexOf('=');
        String name = eq < 0 ? a : a.substring(0, eq);
        String attached = eq < 0 ? null : a.substring(eq + 1);
        ArgSpec.Option o = find(specs, name);
        if (o == null) throw new ArgException("unknown option: " + name);
        switch (o.takes()) {
            case NOTHING -> {
                if (attached != null) throw new ArgException("option " + name + " takes no value");
                o.action().accept(null);
            }
            case VALUE -> {
                if (attached == null) {
                    if (i + 1 >= args.length) throw new ArgException("option " + name + " needs a value: " + o.label());
                    attached = args[++i];
                }
                o.action().accept(attached);
            }
            case OPTIONAL_VALUE -> {
                if (attached == null && i + 1 < args.length && o.nextIsValue().test(args[i + 1])) attached = args[++i];
                o.action().accept(attached);
            }
        }
        return i + 1;
    }

    /** A cluster: {@code -vv}, {@code -qs DIR}, {@code -sDIR}. */
    private static int shortOptions(String[] args, int i, List<ArgSpec> specs) throws ArgException {
        String a = args[i];
        for (int j = 1; j < a.length(); j++) {
            String name = "-" + a.charAt(j);
            ArgSpec.Option o = find(specs, name);
            if (o == null) throw new ArgException("unknown option: " + name + (a.length() > 2 ? " (in " + a + ")" : ""));
            String rest = a.substring(j + 1);
            switch (o.takes()) {
                case NOTHING -> o.action().accept(null);
                case VALUE -> {
                    if (rest.isEmpty()) {
                        if (i + 1 >= args.length) throw new ArgException("option " + name + " needs a value: " + o.label());
                        rest = args[++i];
                    }
                    o.action().accept(rest);
                    return i + 1;
                }
                case OPTIONAL_VALUE -> {
                    if (rest.isEmpty() && i + 1 < args.length && o.nextIsValue().test(args[i + 1])) rest = args[++i];
                    o.action().accept(rest.isEmpty() ? null : rest);
                    return i + 1;
                }
            }
        }
        return i + 1;
    }

    private static ArgSpec.Option find(List<ArgSpec> specs, String name) {
        for (ArgSpec s : specs) {
            ArgSpec.Option o = s.find(name);
            if (o != null) return o;
        }
        return null;
    }
}
