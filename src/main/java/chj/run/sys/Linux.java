package chj.run.sys;

/**
 * Linux x86_64 ABI numbers ch-run needs: syscall numbers from {@code <asm/unistd_64.h>} and flag
 * values from the kernel UAPI headers, checked against glibc 2.36 and Linux 6.x.
 */
public final class Linux {
    private Linux() {}

    // ---- syscall numbers (x86_64) ----
    public static final long SYS_read = 0, SYS_write = 1, SYS_close = 3, SYS_rt_sigaction = 13, SYS_rt_sigprocmask = 14,
            SYS_nanosleep = 35, SYS_getpid = 39, SYS_socket = 41, SYS_connect = 42, SYS_execve = 59, SYS_wait4 = 61, SYS_kill = 62, SYS_chdir = 80,
            SYS_getuid = 102, SYS_getgid = 104, SYS_geteuid = 107, SYS_getegid = 108, SYS_getppid = 110,
            SYS_capget = 125, SYS_capset = 126, SYS_statfs = 137, SYS_pivot_root = 155, SYS_prctl = 157,
            SYS_mount = 165, SYS_umount2 = 166, SYS_setxattr = 188, SYS_exit_group = 231,
            SYS_kexec_load = 246, SYS_openat = 257, SYS_mkdirat = 258, SYS_newfstatat = 262,
            SYS_unlinkat = 263, SYS_readlinkat = 267, SYS_dup3 = 292, SYS_seccomp = 317,
            SYS_close_range = 436, SYS_mount_setattr = 442;

    // ---- mount(2) ----
    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32,
            MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_PRIVATE = 1L << 18;
    public static final int MNT_DETACH = 2;
    /** statfs(2) f_flags bits that a user namespace may not clear (same values as MS_*). */
    public static final long ST_RDONLY = 1, ST_NOSUID = 2, ST_NODEV = 4, ST_NOEXEC = 8;
    public static final long MOUNT_ATTR_RDONLY = 1, AT_RECURSIVE = 0x8000, MOUNT_ATTR_SIZE_VER0 = 32;

    // ---- files ----
    public static final long AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200;
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 64, O_EXCL = 128,
            O_TRUNC = 512, O_DIRECTORY = 65536, O_NOFOLLOW = 131072, O_CLOEXEC = 524288;
    public static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000,
            S_IFCHR = 0020000, S_IFBLK = 0060000;

    // ---- prctl(2), capabilities, signals, descriptors ----
    public static final int PR_SET_NO_NEW_PRIVS = 38, PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_CLEAR_ALL = 4;
    public static final int LINUX_CAPABILITY_VERSION_3 = 0x20080522, CAP_SYS_ADMIN = 21;
    public static final int SIG_SETMASK = 2;
    public static final long CLOSE_RANGE_CLOEXEC = 4;
    public static final int SECCOMP_SET_MODE_FILTER = 1;

    // ---- sockets ----
    public static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 524288;
}
