package chj.run;

import chj.run.sys.Errno;
import chj.run.sys.ErrnoException;
import chj.run.sys.Linux;
import chj.run.sys.Spawn;
import chj.run.sys.Sys;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The command that replaces this process: argv, envp and the execvp(3)-style list of paths to try,
 * all in native memory, built before pivot_root (after it the JDK's own files are gone). exec()
 * then does the last per-thread clean-up and calls execve(2) on this thread, which keeps the PID.
 */
final class Command {
    private final String name;
    private final String[] args;
    private final MemorySegment argv;
    private final MemorySegment envp;
    private final MemorySegment[] paths;
    private final int[] keepFds;
    private final int quiet;
    private final int devNull;

    /** args[0] is looked up on PATH (the command's environment) unless it contains a slash. */
    Command(String[] args, Environment env, int[] keepFds, int quiet) throws RunException {
        this.name = args[0];
        this.args = args;
        this.argv = argv(args);
        this.envp = env.toEnvp();
        this.keepFds = keepFds;
        this.quiet = quiet;
        List<MemorySegment> p = new ArrayList<>();
        if (name.indexOf('/') >= 0) {
            p.add(Sys.cstr(name));
        } else {
            String path = env.get("PATH");
            for (String dir : (path == null ? "/bin:/usr/bin" : path).split(":", -1))
                p.add(Sys.cstr(dir.isEmpty() ? name : dir + "/" + name));
        }
        this.paths = p.toArray(new MemorySegment[0]);
        try {
            this.devNull = quiet > 0 ? Sys.open("/dev/null", Linux.O_WRONLY, 0) : -1;
        } catch (ErrnoException e) {
            throw new RunException(e.getMessage());
        }
    }

    private static MemorySegment argv(String[] args) {
        MemorySegment[] items = new MemorySegment[args.length];
        for (int i = 0; i < args.length; i++) items[i] = Sys.cstr(args[i]);
        return Sys.pointerArray(items);
    }

    /**
     * Descriptor hygiene, signal mask, -q, then execve(2) over the candidate paths. Returns only
     * on failure, with a RunException carrying exit status 49.
     */
    void exec() throws RunException {
        try {
            closeOnExecAllBut(keepFds);
            if (quiet >= 1) Sys.dup2(devNull, 1);
            if (quiet >= 3) Sys.dup2(devNull, 2);
            Sys.matchIgnoredSignals(callerIgnoredSignals());
            Sys.clearSignalMask();
        } catch (ErrnoException e) {
            throw new RunException(e.getMessage());
        }
        int err = search(null, 0);
        throw new RunException(RunException.EXIT_CMD, "can't execve(2): " + name + ": " + Errno.message(err));
    }

    /**
     * Session mode: starts the command as a child in directory {@code dir} (with the same search,
     * shell fallback and error as {@link #exec}) and waits for it. Returns its exit status, or
     * throws a RunException with exit status 49 when it could not be started.
     */
    int spawnAndWait(String dir) throws RunException {
        try {
            closeOnExecAllBut(keepFds);
        } catch (ErrnoException e) {
            throw new RunException(e.getMessage());
        }
        int err = search(dir, callerIgnoredSignals());
        if (err != 0)
            throw new RunException(RunException.EXIT_CMD, "can't execve(2): " + name + ": " + Errno.message(err));
        try {
            return Spawn.waitFor(spawned);
        } catch (ErrnoException e) {
            throw new RunException(e.getMessage());
        }
    }

    /** The child {@link #search} started in session mode. */
    private int spawned = -1;

    /**
     * execvp(3)'s search over the candidate paths, a file without #! or ELF header run by /bin/sh:
     * with {@code spawnDir} null, execve(2) here (which returns only on failure); else a child
     * started in that directory ({@link #spawned}). 0 once one started, else the errno to report.
     */
    private int search(String spawnDir, long ignoredSignals) {
        int err = Errno.ENOENT;
        boolean denied = false;
        for (MemorySegment p : paths) {
            err = start(p, argv, spawnDir, ignoredSignals);
            if (err == 0) return 0;
            if (err == Errno.ENOEXEC) {
                err = start(Sys.cstr("/bin/sh"), shellArgv(p), spawnDir, ignoredSignals);
                if (err == 0) return 0;
                if (err == Errno.ENOENT) err = Errno.ENOEXEC;
            }
            if (err == Errno.EACCES) denied = true;
            else if (err != Errno.ENOENT && err != Errno.ENOTDIR && err != Errno.ESTALE) break;
        }
        if (denied && (err == Errno.ENOENT || err == Errno.ENOTDIR)) err = Errno.EACCES;
        return err;
    }

    /** One try: 0 if it started (a spawn), else errno. */
    private int start(MemorySegment path, MemorySegment args, String spawnDir, long ignoredSignals) {
        if (spawnDir == null) return Sys.execve(path, args, envp);
        try {
            spawned = Spawn.spawn(path, args, envp, spawnDir, ignoredSignals);
            return 0;
        } catch (ErrnoException e) {
            return e.errno();
        }
    }

    /** {@code /bin/sh PATH ARG...}. */
    private MemorySegment shellArgv(MemorySegment path) {
        MemorySegment[] items = new MemorySegment[args.length + 1];
        items[0] = Sys.cstr("/bin/sh");
        items[1] = path;
        for (int i = 1; i < args.length; i++) items[i + 1] = Sys.cstr(args[i]);
        return Sys.pointerArray(items);
    }

    /**
     * The caller's descriptors stay open (MPI and Slurm pass some); the JVM's own (jar, jimage,
     * /dev/random ...) are marked close-on-exec rather than closed, since other JVM threads may
     * still use them until execve.
     */
    static void closeOnExecAllBut(int[] keepSorted) throws ErrnoException {
        long lo = 0;
        for (int fd : keepSorted) {
            if (fd > lo) Sys.cloexecRange(lo, fd - 1);
            lo = Math.max(lo, fd + 1L);
        }
        Sys.cloexecRange(lo, 0xffffffffL);
    }

    /** Signals the caller ignores, from the launcher (-Dchj.sigign=N, decimal mask); default none. */
    static long callerIgnoredSignals() {
        String p = System.getProperty("chj.sigign");
        try {
            return p == null || p.isEmpty() ? 0 : Long.parseUnsignedLong(p);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Caller's descriptors from the launcher (-Dchj.keepfds=0,1,2,...), sorted; default 0,1,2. */
    static int[] keepFds() {
        String p = System.getProperty("chj.keepfds");
        if (p == null || p.isEmpty()) return new int[]{0, 1, 2};
        String[] parts = p.split(",");
        int[] fds = new int[parts.length];
        int n = 0;
        for (String s : parts) {
            try {
                fds[n++] = Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                n--;
            }
        }
        int[] out = java.util.Arrays.copyOf(fds, n);
        java.util.Arrays.sort(out);
        return out;
    }
}
