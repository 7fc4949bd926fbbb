package chj.run;

import chj.run.sys.Sys;

/**
 * A --join peer that needs more than the launcher's shell can do (--set-env, --unset-env): the
 * launcher found the container's first process and waited until it was ready; this computes the
 * command's environment and working directory and execs nsenter(1), which enters the user and
 * mount namespaces and execs the command (a multithreaded JVM cannot enter a user namespace).
 */
final class Join {
    private Join() {}

    static void enter(Options o, Environment env, int pid) throws RunException {
        if (o.cmd == null || o.cmd.length == 0)
            throw new RunException(RunException.EXIT_USAGE, "IMAGE and/or CMD not specified");
        if (!Sys.alive(pid)) throw new RunException("--join: no such process: " + pid);
        String root = "/proc/" + pid + "/root";
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
        String[] args = new String[8 + o.cmd.length];
        String[] head = {nsenter, "--user", "--mount", "--preserve-credentials", "--target", Integer.toString(pid),
                "--wdns=" + wd, "--"};
        System.arraycopy(head, 0, args, 0, head.length);
        System.arraycopy(o.cmd, 0, args, head.length, o.cmd.length);
        Log.info("joining container of PID " + pid);
        Command c = new Command(args, env, Command.keepFds(), o.verbosity < 0 ? -o.verbosity : 0);
        c.exec();
    }
}
