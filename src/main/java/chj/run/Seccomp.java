package chj.run;

import chj.run.sys.ErrnoException;
import chj.run.sys.Linux;
import chj.run.sys.Sys;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Root emulation as Charliecloud's {@code ch-run --seccomp} does it: the chown family, the set*id
 * family, setgroups, capset and kexec_load return 0 without doing anything, and mknod/mknodat
 * return 0 without doing anything when asked for a character or block device (FIFOs, sockets and
 * files are really made). Both ABIs of an x86_64 kernel are covered (x86_64 including x32, and
 * i386); other architectures pass. The filter is per thread: it is installed on the thread that
 * calls execve, so the command and its children have it.
 */
final class Seccomp {
    private Seccomp() {}

    static final int RET_ALLOW = 0x7fff0000;
    /** SECCOMP_RET_ERRNO with errno 0: the call "succeeds" and returns 0. */
    static final int RET_FAKE = 0x00050000;
    static final int AUDIT_ARCH_X86_64 = 0xC000003E, AUDIT_ARCH_I386 = 0x40000003;
    static final int X32_BIT = 0x40000000;
    // struct seccomp_data { int nr; u32 arch; u64 ip; u64 args[6]; } (little endian: low word first)
    private static final int OFF_NR = 0, OFF_ARCH = 4, OFF_ARGS = 16;

    /** capset chown fchown fchownat lchown kexec_load setfsgid setfsuid setgid setgroups setregid setresgid setresuid setreuid setuid */
    static final int[] FAKE_X86_64 = {126, 92, 93, 260, 94, 246, 123, 122, 106, 116, 114, 119, 117, 113, 105};
    static final int MKNOD_X86_64 = 133, MKNODAT_X86_64 = 259;
    /** The same calls on i386, with the 16-bit-ID originals and the *32 variants. */
    static final int[] FAKE_I386 = {185, 182, 212, 95, 207, 298, 16, 198, 283, 139, 216, 138, 215, 46, 214,
            81, 206, 71, 204, 170, 210, 164, 208, 70, 203, 23, 213};
    static final int MKNOD_I386 = 14, MKNODAT_I386 = 297;

    static int[][] program() {
        Bpf b = new Bpf();
        abi(b, "x86_64", AUDIT_ARCH_X86_64, true, FAKE_X86_64, MKNOD_X86_64, MKNODAT_X86_64, "i386");
        abi(b, "i386", AUDIT_ARCH_I386, false, FAKE_I386, MKNOD_I386, MKNODAT_I386, "allow");
        b.label("allow").ret(RET_ALLOW);
        b.label("fake").ret(RET_FAKE);
        b.label("mknod").load(OFF_ARGS + 8).jump("mode");          // mknod(path, mode, dev)
        b.label("mknodat").load(OFF_ARGS + 16);                     // mknodat(dirfd, path, mode, dev)
        b.label("mode").and(Linux.S_IFMT)
                .jumpIfEqual(Linux.S_IFCHR, "fake_dev", null)
                .jumpIfEqual(Linux.S_IFBLK, "fake_dev", null)
                .ret(RET_ALLOW);
        b.label("fake_dev").ret(RET_FAKE);
        return b.assemble();
    }

    private static void abi(Bpf b, String name, int arch, boolean x32, int[] fake, int mknod, int mknodat, String next) {
        b.label(name).load(OFF_ARCH).jumpIfEqual(arch, null, next).load(OFF_NR);
        if (x32) b.and(~X32_BIT);                  // x32 uses the x86_64 numbers with bit 30 set
        for (int nr : fake) b.jumpIfEqual(nr, "fake", null);
        b.jumpIfEqual(mknod, "mknod", null).jumpIfEqual(mknodat, "mknodat", null).jump("allow");
    }

    /** struct sock_fprog { u16 len; struct sock_filter *filter; } with sock_filter {u16 code; u8 jt, jf; u32 k}. */
    static MemorySegment nativeProgram(int[][] prog) {
        MemorySegment filter = Sys.alloc(8L * prog.length);
        ByteBuffer f = Sys.view(filter);
        for (int i = 0; i < prog.length; i++) {
            f.putShort(8 * i, (short) prog[i][0]);
            f.put(8 * i + 2, (byte) prog[i][1]);
            f.put(8 * i + 3, (byte) prog[i][2]);
            f.putInt(8 * i + 4, prog[i][3]);
        }
        MemorySegment fprog = Sys.alloc(16);
        Sys.view(fprog).putShort(0, (short) prog.length).putLong(8, filter.address());
        return fprog;
    }

    /** Installs the filter on the calling thread (no_new_privs must be set) and checks it works. */
    static void install(MemorySegment fprog) throws RunException {
        try {
            Sys.call("can't install seccomp filter", Linux.SYS_seccomp, Linux.SECCOMP_SET_MODE_FILTER, 0,
                    fprog.address(), 0, 0);
        } catch (ErrnoException e) {
            throw new RunException(e.getMessage());
        }
        // kexec_load(0, 0, NULL, 0) fails with EPERM unless the filter fakes it.
        long rc = Sys.raw(Linux.SYS_kexec_load, 0, 0, 0, 0, 0, 0);
        if (rc != 0) throw new RunException("seccomp root emulation failed its self-test (kexec_load: " + rc + ")");
    }
}
