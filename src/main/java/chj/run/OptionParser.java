package chj.run;

import java.util.ArrayList;
import java.util.List;

/**
 * Charliecloud's ch-run command line, parsed by hand (no library: start-up time) with argp's
 * grammar: clustered short options ({@code -wt}), attached or separate values ({@code -bX},
 * {@code -b X}, {@code --bind=X}, {@code --bind X}), optional values only attached
 * ({@code --set-env=FILE}, {@code -W10%}), options also after IMAGE, and {@code --} before CMD.
 */
final class OptionParser {
    private OptionParser() {}

    private static final String HINT = "Try `ch-run --help' or `ch-run --usage' for more information.";
    private static final String DEFAULT_WRITE_FAKE = "12%";

    static Options parse(String[] args) throws RunException {
        Options o = new Options();
        List<String> positional = new ArrayList<>();
        boolean expand = true;
        int quiet = 0, verbose = 0;
        int i = 0;
        for (; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) { i++; break; }
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
                String val = eq < 0 ? null : a.substring(eq + 1);
                switch (name) {
                    case "bind", "cd", "gid", "uid", "mount", "storage", "join-ct", "join-tag", "join-pid",
                         "unset-env", "feature", "serve" -> {
                        if (val == null) {
                            if (i + 1 >= args.length) throw usage("option '--" + name + "' requires an argument");
                            val = args[++i];
                        }
                    }
                    case "set-env", "set-env0", "write-fake" -> { /* optional value, only with '=' */ }
                    default -> {
                        if (val != null && isFlag(name))
                            throw usage("option '--" + name + "' doesn't allow an argument");
                        if (!isFlag(name)) throw usage("unrecognized option '" + a + "'");
                    }
                }
                switch (name) {
                    case "env-no-expand" -> expand = false;
                    case "set-env" -> o.envOps.add(setEnv(val, '\n', expand));
                    case "set-env0" -> o.envOps.add(setEnv(val, '\0', expand));
                    case "help" -> o.help = true;
                    case "usage" -> o.usage = true;
                    case "version" -> o.version = true;
                    case "quiet" -> quiet++;
                    case "verbose" -> verbose++;
                    default -> apply(o, name, val);
                }
                continue;
            }
            if (a.startsWith("-") && a.length() > 1) {
                for (int j = 1; j < a.length(); j++) {
                    char c = a.charAt(j);
                    String rest = a.substring(j + 1);
                    switch (c) {
                        case 'b', 'c', 'g', 'm', 's', 'u' -> {
                            String val = rest;
                            if (val.isEmpty()) {
                                if (i + 1 >= args.length) throw usage("option requires an argument -- '" + c + "'");
                                val = args[++i];
                            }
                            apply(o, longName(c), val);
                            j = a.length();
                        }
                        case 'W' -> {
                            o.writeFake = rest.isEmpty() ? DEFAULT_WRITE_FAKE : rest;
                            j = a.length();
                        }
                        case 'j' -> o.join = true;
                        case 't' -> o.privateTmp = true;
                        case 'w' -> o.write = true;
                        case 'q' -> quiet++;
                        case 'v' -> verbose++;
                        case 'V' -> o.version = true;
                        case '?' -> o.help = true;
                        default -> throw usage("invalid option -- '" + c + "'");
                    }
                }
                continue;
            }
            positional.add(a);
        }
        for (; i < args.length; i++) positional.add(args[i]);

        if (quiet > 0 && verbose > 0) throw usage("--quiet incompatible with --verbose");
        if (quiet > 3) throw usage("--quiet can be specified at most thrice");
        o.verbosity = verbose > 0 ? verbose : -quiet;
        if (!positional.isEmpty()) {
            o.image = positional.get(0);
            o.cmd = positional.subList(1, positional.size()).toArray(new String[0]);
        }
        return o;
    }

    private static boolean isFlag(String name) {
        return switch (name) {
            case "env-no-expand", "help", "usage", "version", "quiet", "verbose", "home", "join", "no-home",
                 "no-passwd", "private-tmp", "unsafe", "seccomp", "write" -> true;
            default -> false;
        };
    }

    private static String longName(char c) {
        return switch (c) {
            case 'b' -> "bind";
            case 'c' -> "cd";
            case 'g' -> "gid";
            case 'm' -> "mount";
            case 's' -> "storage";
            default -> "uid";
        };
    }

    private static void apply(Options o, String name, String val) throws RunException {
        switch (name) {
            case "bind" -> o.binds.add(bind(val));
            case "cd" -> o.cd = val;
            case "gid" -> o.gid = id("GID", val);
            case "uid" -> o.uid = id("UID", val);
            case "mount" -> o.mountDir = val;
            case "storage" -> o.storage = val;
            case "join" -> o.join = true;
            case "join-ct" -> {
                o.join = true;
                o.joinCount = positive("--join-ct", val);
            }
            case "join-tag" -> {
                if (val.isEmpty()) throw new RunException("--join-tag: TAG must have non-zero length");
                o.join = true;
                o.joinTag = val;
            }
            case "join-pid" -> o.joinPid = positive("--join-pid", val);
            case "unset-env" -> {
                if (val.isEmpty()) throw new RunException("--unset-env: GLOB must have non-zero length");
                o.envOps.add(new Options.Unset(val));
            }
            case "feature" -> o.feature = val;
            case "serve" -> {
                if (val.isEmpty()) throw new RunException("--serve: SOCKET must have non-zero length");
                o.serve = val;
            }
            case "home" -> o.home = true;
            case "no-home" -> Log.warning("--no-home is deprecated and has no effect");
            case "no-passwd" -> o.noPasswd = true;
            case "private-tmp" -> o.privateTmp = true;
            case "unsafe" -> o.unsafe = true;
            case "seccomp" -> o.seccomp = true;
            case "write" -> o.write = true;
            case "write-fake" -> o.writeFake = val == null || val.isEmpty() ? DEFAULT_WRITE_FAKE : val;
            default -> throw new IllegalStateException(name);
        }
    }

    /** Charliecloud's --bind rules and messages. */
    static Options.Bind bind(String arg) throws RunException {
        int colon = arg.indexOf(':');
        String src = colon < 0 ? arg : arg.substring(0, colon);
        String dst = colon < 0 ? src : arg.substring(colon + 1);
        if (src.isEmpty()) throw new RunException("--bind: no source provided");
        if (dst.isEmpty()) throw new RunException("--bind: no destination provided");
        if (dst.equals("/")) throw new RunException("--bind: destination can't be /");
        if (!dst.startsWith("/")) throw new RunException("--bind: destination must be absolute");
        return new Options.Bind(src, dst);
    }

    private static Options.EnvOp setEnv(String val, char delim, boolean expand) {
        if (val == null) return new Options.SetImage(delim, expand);
        if (val.indexOf('=') >= 0) return new Options.SetVar(val, expand);
        return new Options.SetFile(val, delim, expand);
    }

    private static int id(String what, String val) throws RunException {
        try {
            int n = Integer.parseInt(val);
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new RunException("can't parse " + what + ": " + val);
    }

    private static int positive(String what, String val) throws RunException {
        try {
            int n = Integer.parseInt(val);
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new RunException(what + ": invalid value: " + val);
    }

    private static UsageException usage(String msg) {
        return new UsageException(msg);
    }

    /** argp's two-line report of a usage error. */
    static String usageReport(String msg) {
        return "ch-run: " + msg + "\n" + HINT + "\n";
    }
}
