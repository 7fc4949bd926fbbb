package chj.run;

import chj.run.sys.ErrnoException;
import chj.run.sys.Sys;

import java.io.File;
import java.io.IOException;
import java.util.List;

/**
 * Mounts a SquashFS image with squashfuse inside the container's mount namespace. The FUSE
 * server runs in the foreground as a child of this process with a parent-death signal
 * ({@code setpriv --pdeathsig KILL}): it is the thread that later execs the command that spawns
 * it, so it dies with the command, however that ends; the mount, which only exists in the
 * container's private mount namespace, goes with it.
 */
final class Squash {
    private Squash() {}

    private static final long TIMEOUT_MS = 10_000;

    /** squashfuse_ll (faster, low-level) if installed, else squashfuse; null if neither. */
    static String fuseProgram(Environment env) {
        String p = Programs.find("squashfuse_ll", env);
        return p != null ? p : Programs.find("squashfuse", env);
    }

    /** Mounts file at dir and waits until the mount is there; returns the FUSE server. */
    static Process mount(String file, String dir, Environment env) throws RunException {
        String fuse = fuseProgram(env);
        if (fuse == null) throw new RunException("can't mount SquashFS: squashfuse not found (hint: install squashfuse)");
        String setpriv = Programs.find("setpriv", env);
        if (setpriv == null) throw new RunException("can't mount SquashFS: setpriv (util-linux) not found");
        Sys.Stat before = stat(dir);
        if (before == null || !before.isDir()) throw new RunException("can't mount: " + dir + ": not a directory");
        Log.info("mounting " + file + " at " + dir + " with " + fuse);
        Process p;
        try {
            p = new ProcessBuilder(List.of(setpriv, "--pdeathsig", "KILL", "--", fuse, "-f", file, dir))
                    .redirectInput(new File("/dev/null"))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            throw new RunException("can't start " + fuse + ": " + e.getMessage());
        }
        long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000;
        while (true) {
            Sys.Stat now = stat(dir);
            if (now != null && now.dev() != before.dev()) return p;
            if (!p.isAlive())
                throw new RunException("can't mount SquashFS " + file + ": " + fuse + " exited with status " + p.exitValue());
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new RunException("can't mount SquashFS " + file + ": timed out");
            }
            Sys.sleepMillis(1);
        }
    }

    private static Sys.Stat stat(String dir) throws RunException {
        try {
            return Sys.stat(dir);
        } catch (ErrnoException e) {
            throw new RunException(e.getMessage());
        }
    }
}
