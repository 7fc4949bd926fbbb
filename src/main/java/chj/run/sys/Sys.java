package chj.run.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static chj.run.sys.Linux.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The system calls ch-run makes, through one FFM downcall handle to {@code syscall(2)}.
 *
 * <p>One handle because every distinct downcall handle spins hidden classes at start-up that the AOT
 * cache does not keep (see doc/ch-run.md, "Start-up"). Strings are <em>byte strings</em>: one char
 * per byte (ISO-8859-1), so paths, arguments and environment values that are not UTF-8 pass through
 * unchanged. Memory comes from the global arena: the process either execs or exits soon.
 */
@SuppressWarnings("restricted")   // this class is where chj calls native code, by design
public final class Sys {
    private Sys() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    /** errno capture buffer; only the thread that builds the container makes calls. */
    private static final MemorySegment ERRNO_BUF = Arena.global().allocate(CAPTURE);
    private static final ByteBuffer ERRNO = view(ERRNO_BUF);
    private static final int ERRNO_OFFSET = (int) CAPTURE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    /** long syscall(long nr, ...): the six arguments are passed as variadic longs. */
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));

    /** Native memory for arguments; never freed (the process execs or exits). */
    public static final Arena MEM = Arena.global();

    /** Raw call: the result, or -errno on failure. */
    public static long raw(long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
        try {
            long rc = (long) SYSCALL.invokeExact(ERRNO_BUF, nr, a1, a2, a3, a4, a5, a6);
            return rc == -1 ? -ERRNO.getInt(ERRNO_OFFSET) : rc;
        } catch (Throwable t) {
            throw new IllegalStateException("syscall " + nr + " failed to link", t);
        }
    }

    /** Checked call: the result, or an exception naming {@code what}. */
    public static long call(String what, long nr, long a1, long a2, long a3, long a4, long a5) throws ErrnoException {
        long rc = raw(nr, a1, a2, a3, a4, a5, 0);
        if (rc < 0 && rc > -4096) throw new ErrnoException(what, (int) -rc);
        return rc;
    }

    // ---- memory helpers ----
    // Native memory is read and written through ByteBuffer views and bulk copies, not through
    // MemorySegment.get/set: those go through VarHandles, whose first use spins classes at run
    // time (measured: some 15 ms of start-up).

    /** A native-order ByteBuffer over a (small) segment. */
    public static ByteBuffer view(MemorySegment s) {
        return s.asByteBuffer().order(ByteOrder.nativeOrder());
    }

    /** Zeroed native memory. */
    public static MemorySegment alloc(long size) {
        return MEM.allocate(size, 8);
    }

    /** NUL-terminated copy of a byte string; null gives NULL. */
    public static MemorySegment cstr(String s) {
        return s == null ? MemorySegment.NULL : cbytes(stringToBytes(s));
    }

    public static long cptr(String s) {
        return cstr(s).address();
    }

    /** NUL-terminated copy of raw bytes. */
    public static MemorySegment cbytes(byte[] b) {
        MemorySegment m = MEM.allocate(b.length + 1L);      // zeroed: the terminator is there
        view(m).put(0, b);
        return m;
    }

    /** NULL-terminated array of pointers (argv, envp). */
    public static MemorySegment pointerArray(MemorySegment[] items) {
        MemorySegment a = alloc(8L * (items.length + 1));   // zeroed: the NULL is there
        ByteBuffer b = view(a);
        for (int i = 0; i < items.length; i++) b.putLong(8 * i, items[i].address());
        return a;
    }

    public static String bytesToString(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.ISO_8859_1);
    }

    public static byte[] stringToBytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ---- process ----

    public static int getpid() { return (int) raw(SYS_getpid, 0, 0, 0, 0, 0, 0); }
    public static int getppid() { return (int) raw(SYS_getppid, 0, 0, 0, 0, 0, 0); }
    public static int getuid() { return (int) raw(SYS_getuid, 0, 0, 0, 0, 0, 0); }
    public static int getgid() { return (int) raw(SYS_getgid, 0, 0, 0, 0, 0, 0); }
    public static int geteuid() { return (int) raw(SYS_geteuid, 0, 0, 0, 0, 0, 0); }
    public static int getegid() { return (int) raw(SYS_getegid, 0, 0, 0, 0, 0, 0); }

    /** True if a process with this PID exists (kill(pid, 0); EPERM still means it exists). */
    public static boolean alive(int pid) {
        long rc = raw(SYS_kill, pid, 0, 0, 0, 0, 0);
        return rc == 0 || rc == -Errno.EPERM;
    }

    /** exit_group(2): leave without JVM shutdown, which needs files that are gone after pivot_root. */
    public static void exit(int status) {
        raw(SYS_exit_group, status, 0, 0, 0, 0, 0);
    }

    /** execve(2); returns errno (it only returns on failure). */
    public static int execve(MemorySegment path, MemorySegment argv, MemorySegment envp) {
        return (int) -raw(SYS_execve, path.address(), argv.address(), envp.address(), 0, 0, 0);
    }

    public static void prctl(int option, long a2) throws ErrnoException {
        call("prctl(" + option + ")", SYS_prctl, option, a2, 0, 0, 0);
    }

    /** Effective capabilities of the calling thread. */
    public static long capEffective() throws ErrnoException {
        MemorySegment hdr = alloc(8);
        view(hdr).putInt(0, LINUX_CAPABILITY_VERSION_3);
        MemorySegment data = alloc(24);
        call("capget", SYS_capget, hdr.address(), data.address(), 0, 0, 0);
        ByteBuffer d = view(data);
        return (d.getInt(0) & 0xffffffffL) | ((d.getInt(12) & 0xffffffffL) << 32);
    }

    /** Drop every capability of the calling thread: ambient, effective, permitted, inheritable. */
    public static void dropCapabilities() throws ErrnoException {
        call("prctl(PR_CAP_AMBIENT_CLEAR_ALL)", SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        MemorySegment hdr = alloc(8);
        view(hdr).putInt(0, LINUX_CAPABILITY_VERSION_3);
        MemorySegment data = alloc(24);             // zero: no capability at all
        call("capset", SYS_capset, hdr.address(), data.address(), 0, 0, 0);
    }

    /** Unblock every signal (the JVM blocks SIGQUIT on its threads; the mask survives execve). */
    public static void clearSignalMask() throws ErrnoException {
        MemorySegment empty = alloc(8);             // kernel sigset_t is 64 bits
        call("rt_sigprocmask", SYS_rt_sigprocmask, SIG_SETMASK, empty.address(), 0, 8, 0);
    }

    /**
     * Ignored signals stay ignored across execve, handled ones revert to the default: make each
     * signal ignored after execve exactly when the caller had it ignored (callerIgnored: bit s-1
     * for signal s), undoing what the JVM did. Signals the JVM itself relies on (SEGV, BUS, FPE,
     * ILL) and glibc's internal 32 and 33 are left alone.
     */
    public static void matchIgnoredSignals(long callerIgnored) {
        MemorySegment old = alloc(32);      // struct kernel_sigaction {handler, flags, restorer, mask}
        MemorySegment act = alloc(32);
        ByteBuffer o = view(old), n = view(act);
        for (int s = 1; s <= 64; s++) {
            if (s == 9 || s == 19 || s == 4 || s == 7 || s == 8 || s == 11 || s == 32 || s == 33) continue;
            if (raw(SYS_rt_sigaction, s, 0, old.address(), 8, 0, 0) < 0) continue;
            boolean ignored = o.getLong(0) == 1;      // SIG_IGN
            boolean want = ((callerIgnored >>> (s - 1)) & 1) != 0;
            if (ignored == want) continue;
            n.putLong(0, want ? 1 : 0);             // SIG_IGN or SIG_DFL
            raw(SYS_rt_sigaction, s, act.address(), 0, 8, 0, 0);
        }
    }

    /** Mark [lo, hi] close-on-exec (close_range(2), Linux 5.11). */
    public static void cloexecRange(long lo, long hi) throws ErrnoException {
        if (lo <= hi) call("close_range", SYS_close_range, lo, hi, CLOSE_RANGE_CLOEXEC, 0, 0);
    }

    public static void dup2(int from, int to) throws ErrnoException {
        if (from != to) call("dup3(" + from + ", " + to + ")", SYS_dup3, from, to, 0, 0, 0);
    }

    public static void sleepMillis(long ms) {
        MemorySegment ts = alloc(16);
        view(ts).putLong(0, ms / 1000).putLong(8, (ms % 1000) * 1_000_000L);
        raw(SYS_nanosleep, ts.address(), 0, 0, 0, 0, 0);
    }

    // ---- files ----

    public static int open(String path, int flags, int mode) throws ErrnoException {
        return (int) call("can't open: " + path, SYS_openat, AT_FDCWD, cptr(path), flags | O_CLOEXEC, mode, 0);
    }

    public static void close(int fd) {
        raw(SYS_close, fd, 0, 0, 0, 0, 0);
    }

    /** The whole file, or an exception if it cannot be read. */
    public static byte[] readFile(String path) throws ErrnoException {
        int fd = open(path, O_RDONLY, 0);
        try {
            MemorySegment buf = MEM.allocate(65536);
            byte[] out = new byte[0];
            while (true) {
                long n = call("can't read: " + path, SYS_read, fd, buf.address(), buf.byteSize(), 0, 0);
                if (n == 0) return out;
                byte[] grown = new byte[out.length + (int) n];
                System.arraycopy(out, 0, grown, 0, out.length);
                view(buf).get(0, grown, out.length, (int) n);
                out = grown;
            }
        } finally {
            close(fd);
        }
    }

    public static void writeAll(int fd, byte[] data, String what) throws ErrnoException {
        MemorySegment m = MEM.allocate(Math.max(1, data.length));
        view(m).put(0, data);
        long off = 0;
        while (off < data.length)
            off += call(what, SYS_write, fd, m.address() + off, data.length - off, 0, 0);
    }

    /** File type and identity from (l)stat; null if the path does not exist. */
    public record Stat(long dev, long ino, int mode, int uid, long size) {
        public int type() { return mode & S_IFMT; }
        public boolean isDir() { return type() == S_IFDIR; }
        public boolean isFile() { return type() == S_IFREG; }
        public boolean isLink() { return type() == S_IFLNK; }
    }

    private static Stat stat(String path, long flags) throws ErrnoException {
        MemorySegment st = alloc(144);               // struct stat (x86_64)
        long rc = raw(SYS_newfstatat, AT_FDCWD, cptr(path), st.address(), flags, 0, 0);
        if (rc == -Errno.ENOENT || rc == -Errno.ENOTDIR) return null;
        if (rc < 0) throw new ErrnoException("can't stat: " + path, (int) -rc);
        ByteBuffer b = view(st);
        return new Stat(b.getLong(0), b.getLong(8), b.getInt(24), b.getInt(28), b.getLong(48));
    }

    /** stat(2), following symlinks; null if absent. */
    public static Stat stat(String path) throws ErrnoException { return stat(path, 0); }

    /** lstat(2); null if absent. */
    public static Stat lstat(String path) throws ErrnoException { return stat(path, AT_SYMLINK_NOFOLLOW); }

    public static String readlink(String path) throws ErrnoException {
        MemorySegment buf = MEM.allocate(4096);
        long n = call("can't readlink: " + path, SYS_readlinkat, AT_FDCWD, cptr(path), buf.address(), 4096, 0);
        byte[] b = new byte[(int) n];
        view(buf).get(0, b);
        return bytesToString(b, 0, b.length);
    }

    public static void mkdir(String path, int mode) throws ErrnoException {
        call("can't mkdir: " + path, SYS_mkdirat, AT_FDCWD, cptr(path), mode, 0, 0);
    }

    /** mkdir(2) that reports whether it created the directory (false if it existed). */
    public static boolean mkdirIfAbsent(String path, int mode) throws ErrnoException {
        long rc = raw(SYS_mkdirat, AT_FDCWD, cptr(path), mode, 0, 0, 0);
        if (rc == -Errno.EEXIST) return false;
        if (rc < 0) throw new ErrnoException("can't mkdir: " + path, (int) -rc);
        return true;
    }

    public static void unlink(String path) {
        raw(SYS_unlinkat, AT_FDCWD, cptr(path), 0, 0, 0, 0);
    }

    public static void chdir(String path) throws ErrnoException {
        call("can't cd to " + path, SYS_chdir, cptr(path), 0, 0, 0, 0);
    }

    public static boolean tryChdir(String path) {
        return raw(SYS_chdir, cptr(path), 0, 0, 0, 0, 0) == 0;
    }

    public static void setxattr(String path, String name, byte[] value) throws ErrnoException {
        MemorySegment v = cbytes(value);
        call("can't setxattr: " + path, SYS_setxattr, cptr(path), cptr(name), v.address(), value.length, 0);
    }

    // ---- mounts ----

    public static void mount(String src, String dst, String type, long flags, String data) throws ErrnoException {
        call("mount", SYS_mount, cptr(src), cptr(dst), cptr(type), flags, cptr(data));
    }

    public static void umountDetach(String path) throws ErrnoException {
        call("can't unmount: " + path, SYS_umount2, cptr(path), MNT_DETACH, 0, 0, 0);
    }

    public static void pivotRoot(String newRoot, String putOld) throws ErrnoException {
        call("can't pivot_root", SYS_pivot_root, cptr(newRoot), cptr(putOld), 0, 0, 0);
    }

    /** statfs(2) f_flags (ST_* bits) of the filesystem at path. */
    public static long mountFlags(String path) throws ErrnoException {
        MemorySegment buf = alloc(120);
        call("can't statfs: " + path, SYS_statfs, cptr(path), buf.address(), 0, 0, 0);
        return view(buf).getLong(80);
    }

    /** mount_setattr(2) on path and every mount below it; returns 0 or -errno (ENOSYS before 5.12). */
    public static long setReadOnlyRecursive(String path) {
        MemorySegment attr = alloc(32);              // struct mount_attr {u64 set, clr, propagation, userns_fd}
        view(attr).putLong(0, MOUNT_ATTR_RDONLY);
        return raw(SYS_mount_setattr, AT_FDCWD, cptr(path), AT_RECURSIVE, attr.address(), MOUNT_ATTR_SIZE_VER0, 0);
    }

    // ---- environment ----

    /** char **environ, a data symbol of libc. */
    private static final MemorySegment ENVIRON = LINKER.defaultLookup().find("environ").orElseThrow();

    /** The process environment exactly as the C runtime holds it, as byte strings in order. */
    public static String[] environ() {
        long env = readLong(ENVIRON.address());
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        for (long p; (p = readLong(env + 8L * out.size())) != 0; ) out.add(cString(p));
        return out.toArray(new String[0]);
    }

    private static long readLong(long address) {
        return view(MemorySegment.ofAddress(address).reinterpret(8)).getLong(0);
    }

    /** The NUL-terminated string at address, read a page at most at a time (never past its page). */
    static String cString(long address) {
        StringBuilder sb = new StringBuilder();
        long p = address;
        while (true) {
            int chunk = (int) (4096 - (p & 4095));
            byte[] b = new byte[chunk];
            view(MemorySegment.ofAddress(p).reinterpret(chunk)).get(0, b);
            for (int i = 0; i < chunk; i++) {
                if (b[i] == 0) return sb.append(bytesToString(b, 0, i)).toString();
            }
            sb.append(bytesToString(b, 0, chunk));
            p += chunk;
        }
    }

    // ---- rarely used: a second handle only on error paths ----

    private static final class StrError {
        static final MethodHandle STRERROR = LINKER.downcallHandle(
                LINKER.defaultLookup().find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    static String strerror(int errno) {
        try {
            MemorySegment p = (MemorySegment) StrError.STRERROR.invokeExact(errno);
            return cString(p.address());
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
