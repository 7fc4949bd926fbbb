package chj.run;

import chj.run.sys.ErrnoException;
import chj.run.sys.Linux;
import chj.run.sys.Sys;


/**
 * --join. The launcher decides who is first (the winner) with an exclusive create of
 * {@code /dev/shm/chj-join.USER.TAG.pid} and starts a holder: a small shell process in its own
 * session that, once the winner's container is ready, holds descriptors of its user and mount
 * namespaces and of its root until every peer has entered (a short command may be over before its
 * peers come), then removes the state; or after 30 s; or at once if the winner dies before its
 * container is ready. Peers enter with nsenter(1) through the holder's descriptors.
 *
 * <p>Here: the winner's side (markReady), and a peer that needs more than the launcher's shell
 * can do (--set-env, --unset-env): it computes the command's environment and working directory
 * and execs nsenter (a multithreaded JVM cannot enter a user namespace itself).
 */
final class Join {
    private Join() {}

    private static final int HELD_TIMEOUT_MS = 10_000;

    /** The winner's state files: base (launcher's -Dchj.join.base), or null without --join. */
    record Winner(String base, int count) {
        String ready() { return base + "." + Sys.getpid() + ".ready"; }
        String held() { return base + "." + Sys.getpid() + ".held"; }
    }

    static Winner winner() {
        String base = System.getProperty("chj.join.base");
        return base == null ? null : new Winner(base, Integer.getInteger("chj.join.count", 1));
    }

    /**
     * After pivot_root: tells the holder that the container is complete, and waits until it holds
     * the namespaces and the root (so that a command that is over at once cannot take them along
     * before the peers are in).
     */
    static void markReady(Winner w) throws RunException {
        try {
            Sys.close(Sys.open(w.ready(), Linux.O_WRONLY | Linux.O_CREAT | Linux.O_EXCL, 0600));
            for (int i = 0; Sys.stat(w.held()) == null; i++) {
                if (i > HELD_TIMEOUT_MS) throw new RunException("--join: holder of " + w.base() + " did not answer");
                Sys.sleepMillis(1);
            }
            Sys.unlink(w.ready());     // tells the holder we saw it (it may clean up from now on)
        } catch (ErrnoException e) {
            throw new RunException("--join: can't tell peers the container is ready: " + e.getMessage());
        }
    }

    /**
     * Enters a container: with holder, through the descriptors of a --join holder process;
     * otherwise through the namespaces of process pid (--join-pid).
     */
    static void enter(Options o, Environment env, int pid, boolean holder) throws RunException {
        if (o.cmd == null || o.cmd.length == 0)
            throw new RunException(RunException.EXIT_USAGE, "IMAGE and/or CMD not specified");
        if (!Sys.alive(pid)) throw new RunException("--join: no such process: " + pid);
        String proc = "/proc/" + pid;
        String root = holder ? proc + "/fd/5" : proc + "/root";
        String user = env.get("USER");
        String home = o.home ? "/home/" + user : Container.isDir(ImageTree.resolve(root, "/root")) ? "/root" : "/";
        env.fix(home, o.envOps, p -> Container.readImageFile(root, p));
        String wd;
        if (o.cd != null) {
            wd = o.cd.startsWith("/") ? o.cd : "/" + o.cd;
            if (!Container.isDir(ImageTree.resolve(root, wd))) throw new RunException("can't cd to " + o.cd + ": No such file or directory");
        } else {
            String cwd = Container.cwd();
            wd = Container.isDir(ImageTree.resolve(root, cwd)) ? cwd : "/";
        }
        String nsenter = Programs.find("nsenter", env);
        if (nsenter == null) throw new RunException("--join: nsenter (util-linux) not found");
        String[] head = holder
                ? new String[]{nsenter, "--user=" + proc + "/fd/3", "--mount=" + proc + "/fd/4",
                        "--preserve-credentials", "--wdns=" + wd, "--"}
                : new String[]{nsenter, "--user", "--mount", "--preserve-credentials", "--target",
                        Integer.toString(pid), "--wdns=" + wd, "--"};
        String[] args = new String[head.length + o.cmd.length];
        System.arraycopy(head, 0, args, 0, head.length);
        System.arraycopy(o.cmd, 0, args, head.length, o.cmd.length);
        Log.info("joining container of PID " + pid);
        Command c = new Command(args, env, Command.keepFds(), o.verbosity < 0 ? -o.verbosity : 0);
        c.exec();
    }
}
