package chj.run;

import chj.Version;
import chj.run.sys.ErrnoException;
import chj.run.sys.Sys;

/**
 * ch-run's Java half, started by bin/ch-run inside fresh user and mount namespaces:
 * {@code ch-run [OPTION...] IMAGE -- CMD [ARG...]}. On success the command replaces this JVM.
 */
public final class Main {
    private Main() {}

    public static void main(String[] jvmArgs) {
        boolean training = Boolean.getBoolean("chj.train");
        int rc;
        try {
            rc = run(rawArgs(jvmArgs), training);
        } catch (UsageException e) {
            Log.write(2, OptionParser.usageReport(e.getMessage()));
            rc = e.exitCode();
        } catch (RunException e) {
            Log.error(e.getMessage());
            rc = e.exitCode();
        }
        if (training) {
            // The AOT cache is written at a normal JVM exit only.
            if (rc != 0) System.exit(rc);
            return;
        }
        Sys.exit(rc);   // no JVM shutdown: after pivot_root its files are gone
    }

    static int run(String[] args, boolean training) throws RunException {
        Options o = OptionParser.parse(args);
        Log.verbosity = o.verbosity;
        if (o.help) {
            Log.write(1, Usage.HELP);
            return 0;
        }
        if (o.usage) {
            Log.write(1, Usage.USAGE);
            return 0;
        }
        if (o.version) {
            Log.write(2, Version.VERSION + "\n");
            return 0;
        }
        if (Sys.getuid() != Sys.geteuid() || Sys.getgid() != Sys.getegid())
            throw new RunException("ch-run must not be setuid or setgid");
        Environment env = Environment.ofProcess();
        if (o.feature != null) return Features.check(o.feature, env);
        String user = env.get("USER");
        if (user == null || user.isEmpty()) throw new RunException("$USER not set");
        String holder = System.getProperty("chj.join.holder");
        String joinPid = System.getProperty("chj.join.pid");
        if (holder != null || joinPid != null) {
            Join.enter(o, env, Integer.parseInt(holder != null ? holder : joinPid), holder != null);
            return 0;   // not reached
        }
        if ((o.join || o.joinPid > 0) && System.getProperty("chj.join.base") == null && !training)
            throw new RunException("--join: start ch-run through its launcher (bin/ch-run), which coordinates peers");
        Container.run(o, env, training);
        return 0;
    }

    /**
     * main()'s arguments were decoded with the platform charset (ASCII under LANG=C, which turns
     * "é" into "?"); the last jvmArgs.length entries of /proc/self/cmdline are the same arguments as
     * bytes. They become byte strings (one char per byte), which is what chj.run works with.
     */
    static String[] rawArgs(String[] jvmArgs) throws RunException {
        byte[] all;
        try {
            all = Sys.readFile("/proc/self/cmdline");
        } catch (ErrnoException e) {
            throw new RunException(e.getMessage());
        }
        java.util.ArrayList<String> words = new java.util.ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == 0) {
                words.add(Sys.bytesToString(all, start, i - start));
                start = i + 1;
            }
        }
        if (words.size() < jvmArgs.length) throw new RunException("can't match /proc/self/cmdline to the arguments");
        return words.subList(words.size() - jvmArgs.length, words.size()).toArray(new String[0]);
    }
}
