package chj.run;

import chj.run.sys.Errno;
import chj.run.sys.Linux;
import chj.run.sys.Sys;

import java.lang.foreign.MemorySegment;

/**
 * The AOT cache's training run (-Dchj.train=true, see bin/ch-run): the JVM writes the cache only
 * when it exits normally, which never happens after execve, and its cache writer re-launches java,
 * which is unreachable after pivot_root. So the training run does the whole set-up for real (in
 * its own throw-away namespace), then makes every remaining call once with harmless arguments and
 * returns.
 */
final class Training {
    private Training() {}

    static void exercise(Command cmd, MemorySegment filter) {
        MemorySegment prog = filter != null ? filter : Seccomp.nativeProgram(Seccomp.program());
        Sys.raw(Linux.SYS_pivot_root, Sys.cptr("/nonexistent"), Sys.cptr("/nonexistent"), 0, 0, 0, 0);
        Sys.raw(Linux.SYS_umount2, Sys.cptr("/nonexistent"), Linux.MNT_DETACH, 0, 0, 0, 0);
        Sys.tryChdir("/");
        Sys.raw(Linux.SYS_prctl, 39 /* PR_GET_NO_NEW_PRIVS */, 0, 0, 0, 0, 0);
        Sys.raw(Linux.SYS_close_range, 0x7ffffff0L, 0x7ffffff0L, Linux.CLOSE_RANGE_CLOEXEC, 0, 0, 0);
        Sys.raw(Linux.SYS_seccomp, 99 /* invalid op: EINVAL */, 0, prog.address(), 0, 0, 0);
        Sys.raw(Linux.SYS_execve, Sys.cptr("/nonexistent/x"), 0, 0, 0, 0, 0);
        // Paths the first command may not take, so that the cache has their classes too:
        // SquashFS mounts spawn a process, --unset-env matches globs.
        try {
            new ProcessBuilder(java.util.List.of("/bin/true")).redirectInput(new java.io.File("/dev/null"))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start().waitFor();
        } catch (java.io.IOException | InterruptedException e) {
            Log.debug("training: " + e);
        }
        Glob.compile("@(A|B*)[0-9]?").matches("B12");
        Log.debug("training done: " + Errno.message(Errno.ENOENT));
    }
}
