package chj.run.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;

import static chj.run.sys.Linux.SYS_wait4;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Starting child processes from a JVM that has already pivoted into an image (ch-run's session
 * mode), with glibc's posix_spawn(3): it creates the child with clone(CLONE_VM|CLONE_VFORK) on a
 * stack of its own, so it is safe in a multithreaded process, needs no helper program (the JDK's
 * jspawnhelper is out of reach after pivot_root) and runs no Java code in the child. The child
 * inherits the calling thread's seccomp filter and no_new_privs.
 *
 * <p>Its downcall handles are separate from {@link Sys}'s one {@code syscall} handle; they are made
 * on first use, so ch-run's usual one-shot start pays nothing for them.
 */
@SuppressWarnings("restricted")
public final class Spawn {
    private Spawn() {}

    /** posix_spawnattr_t flags (spawn.h). */
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    /** Larger than glibc's posix_spawn_file_actions_t (80 bytes) and posix_spawnattr_t (336). */
    private static final long OPAQUE = 1024;
    /** sigset_t: 1024 bits. */
    private static final long SIGSET = 128;

    private static final class Handles {
        static final Linker L = Linker.nativeLinker();
        static final MethodHandle SPAWN = h("posix_spawn",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        static final MethodHandle ACTIONS_INIT = h("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ADDCHDIR = h("posix_spawn_file_actions_addchdir_np",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle ACTIONS_DESTROY = h("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ATTR_INIT = h("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ATTR_FLAGS = h("posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
        static final MethodHandle ATTR_SIGDEFAULT = h("posix_spawnattr_setsigdefault",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle ATTR_SIGMASK = h("posix_spawnattr_setsigmask", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle ATTR_DESTROY = h("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));

        private static MethodHandle h(String name, FunctionDescriptor d) {
            return L.downcallHandle(L.defaultLookup().find(name).orElseThrow(
                    () -> new IllegalStateException("libc has no " + name + " (glibc 2.29 or newer needed)")), d);
        }
    }

    /** Links the handles now (e.g. before pivot_root, while libc's files are still reachable). */
    public static void prepare() {
        MethodHandle unused = Handles.SPAWN;
    }

    /**
     * Starts {@code path} with {@code argv} and {@code envp} in directory {@code dir}: every signal
     * at its default disposition except those in {@code ignoredSignals} (bit s-1 for signal s, which
     * stay as the caller left them), and none blocked. Returns the child's PID, or throws with the
     * errno of the failed exec (ENOENT, EACCES, ENOEXEC ...).
     */
    public static int spawn(MemorySegment path, MemorySegment argv, MemorySegment envp, String dir, long ignoredSignals)
            throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment actions = a.allocate(OPAQUE, 16);
            MemorySegment attr = a.allocate(OPAQUE, 16);
            MemorySegment pid = a.allocate(JAVA_INT);
            MemorySegment defaults = a.allocate(SIGSET, 8);
            MemorySegment noMask = a.allocate(SIGSET, 8);   // zeroed: nothing blocked
            ByteBuffer d = Sys.view(defaults);
            for (int s = 1; s <= 64; s++) {
                // SIGKILL and SIGSTOP can't be changed; 32 and 33 are glibc's own
                if (s == 9 || s == 19 || s == 32 || s == 33 || ((ignoredSignals >>> (s - 1)) & 1) != 0) continue;
                d.put((s - 1) / 8, (byte) (d.get((s - 1) / 8) | (1 << ((s - 1) % 8))));
            }
            check("posix_spawn_file_actions_init", (int) Handles.ACTIONS_INIT.invokeExact(actions));
            check("posix_spawnattr_init", (int) Handles.ATTR_INIT.invokeExact(attr));
            try {
                check("posix_spawn_file_actions_addchdir_np", (int) Handles.ADDCHDIR.invokeExact(actions, Sys.cstr(dir)));
                check("posix_spawnattr_setflags",
                        (int) Handles.ATTR_FLAGS.invokeExact(attr, (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)));
                check("posix_spawnattr_setsigdefault", (int) Handles.ATTR_SIGDEFAULT.invokeExact(attr, defaults));
                check("posix_spawnattr_setsigmask", (int) Handles.ATTR_SIGMASK.invokeExact(attr, noMask));
                int rc = (int) Handles.SPAWN.invokeExact(pid, path, actions, attr, argv, envp);
                if (rc != 0) throw new ErrnoException("posix_spawn", rc);
                return Sys.view(pid).getInt(0);
            } finally {
                int ignored = (int) Handles.ACTIONS_DESTROY.invokeExact(actions);
                ignored = (int) Handles.ATTR_DESTROY.invokeExact(attr);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("posix_spawn failed to link", t);
        }
    }

    private static void check(String what, int rc) throws ErrnoException {
        if (rc != 0) throw new ErrnoException(what, rc);
    }

    /** Waits for child {@code pid}; its exit status, or 128 + the signal that killed it (as a shell reports it). */
    public static int waitFor(int pid) throws ErrnoException {
        MemorySegment status = Sys.alloc(8);
        while (true) {
            long rc = Sys.raw(SYS_wait4, pid, status.address(), 0, 0, 0, 0);
            if (rc == -Errno.EINTR) continue;
            if (rc < 0) throw new ErrnoException("wait4", (int) -rc);
            int st = Sys.view(status).getInt(0);
            int sig = st & 0x7f;
            if (sig == 0) return (st >> 8) & 0xff;      // exited
            if (sig != 0x7f) return 128 + sig;           // killed (0x7f: stopped; keep waiting)
        }
    }
}
