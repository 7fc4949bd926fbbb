package chj.run;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the root-emulation filter in a small classic-BPF interpreter over synthetic seccomp_data,
 * which covers the i386 and x32 paths that an x86_64 test machine may not be able to execute.
 */
class SeccompTest {
    private static final int[][] PROG = Seccomp.program();
    private static final int X64 = Seccomp.AUDIT_ARCH_X86_64, I386 = Seccomp.AUDIT_ARCH_I386;
    private static final int ALLOW = Seccomp.RET_ALLOW, FAKE = Seccomp.RET_FAKE;
    private static final int CHR = 0020600, BLK = 0060600, FIFO = 0010600, REG = 0100600, SOCK = 0140600;

    static int run(int arch, int nr, long... args) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, nr).putInt(4, arch);
        for (int i = 0; i < args.length; i++) b.putLong(16 + 8 * i, args[i]);
        int a = 0;
        for (int pc = 0; ; pc++) {
            int[] in = PROG[pc];
            switch (in[0]) {
                case Bpf.LD_W_ABS -> a = b.getInt(in[3]);
                case Bpf.AND_K -> a &= in[3];
                case Bpf.JEQ_K -> pc += a == in[3] ? in[1] : in[2];
                case Bpf.JA -> pc += in[3];
                case Bpf.RET_K -> { return in[3]; }
                default -> throw new IllegalStateException("opcode " + in[0]);
            }
        }
    }

    @Test
    void fakedCallsOnEveryAbi() {
        for (int nr : Seccomp.FAKE_X86_64) {
            assertThat(run(X64, nr)).as("x86_64 %d", nr).isEqualTo(FAKE);
            assertThat(run(X64, nr | Seccomp.X32_BIT)).as("x32 %d", nr).isEqualTo(FAKE);
        }
        for (int nr : Seccomp.FAKE_I386) assertThat(run(I386, nr)).as("i386 %d", nr).isEqualTo(FAKE);
    }

    @Test
    void otherCallsPass() {
        assertThat(run(X64, 0)).isEqualTo(ALLOW);       // read
        assertThat(run(X64, 59)).isEqualTo(ALLOW);      // execve
        assertThat(run(X64, 102)).isEqualTo(ALLOW);     // getuid: the lie is not consistent, as in Charliecloud
        assertThat(run(X64, 212)).isEqualTo(ALLOW);     // i386 chown32's number is something else on x86_64
        assertThat(run(I386, 92)).isEqualTo(ALLOW);     // x86_64 chown's number is truncate on i386
        assertThat(run(0xC00000B7, 54)).isEqualTo(ALLOW);   // aarch64: not filtered
    }

    @Test
    void mknodFakedOnlyForDevices() {
        int[][] calls = {{X64, 133, 1}, {X64, 259, 2}, {I386, 14, 1}, {I386, 297, 2}, {X64, 133 | Seccomp.X32_BIT, 1}};
        for (int[] c : calls) {
            for (int[] mode : new int[][]{{CHR, FAKE}, {BLK, FAKE}, {FIFO, ALLOW}, {REG, ALLOW}, {SOCK, ALLOW}}) {
                long[] args = new long[6];
                args[c[2]] = mode[0];
                assertThat(run(c[0], c[1], args)).as("nr %d mode %o", c[1], mode[0]).isEqualTo(mode[1]);
            }
        }
        // the mode is read from the right argument
        assertThat(run(X64, 133, 0, FIFO, CHR)).isEqualTo(ALLOW);
        assertThat(run(X64, 259, CHR, 0, FIFO)).isEqualTo(ALLOW);
    }

    @Test
    void programFitsClassicBpf() {
        assertThat(PROG.length).isLessThan(256);
        for (int[] in : PROG) assertThat(in[1]).isBetween(0, 255);
    }
}
