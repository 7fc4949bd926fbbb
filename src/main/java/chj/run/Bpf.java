package chj.run;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny assembler for the classic BPF that seccomp(2) runs: only the instructions the root
 * emulation filter needs, with forward jumps to named labels resolved at the end.
 */
final class Bpf {
    static final int LD_W_ABS = 0x20;   // A = *(u32 *)(seccomp_data + k)
    static final int JEQ_K = 0x15;      // pc += (A == k) ? jt : jf
    static final int JA = 0x05;         // pc += k
    static final int AND_K = 0x54;      // A &= k
    static final int RET_K = 0x06;      // return k

    private record Insn(int code, String jt, String jf, int k, String target) {}

    private final List<Insn> code = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();

    Bpf label(String name) {
        labels.put(name, code.size());
        return this;
    }

    Bpf load(int offset) { return add(new Insn(LD_W_ABS, null, null, offset, null)); }
    Bpf and(int k) { return add(new Insn(AND_K, null, null, k, null)); }
    /** if A == k goto ifEqual (null: next) else goto otherwise (null: next). */
    Bpf jumpIfEqual(int k, String ifEqual, String otherwise) { return add(new Insn(JEQ_K, ifEqual, otherwise, k, null)); }
    Bpf jump(String target) { return add(new Insn(JA, null, null, 0, target)); }
    Bpf ret(int k) { return add(new Insn(RET_K, null, null, k, null)); }

    private Bpf add(Insn i) {
        code.add(i);
        return this;
    }

    /** The program as {code, jt, jf, k} rows. */
    int[][] assemble() {
        int[][] out = new int[code.size()][];
        for (int pc = 0; pc < code.size(); pc++) {
            Insn i = code.get(pc);
            int jt = offset(i.jt(), pc), jf = offset(i.jf(), pc);
            if (jt > 255 || jf > 255) throw new IllegalStateException("BPF jump too far at " + pc);
            out[pc] = new int[]{i.code(), jt, jf, i.code() == JA ? offset(i.target(), pc) : i.k()};
        }
        return out;
    }

    private int offset(String label, int pc) {
        if (label == null) return 0;
        Integer to = labels.get(label);
        if (to == null || to <= pc) throw new IllegalStateException("BPF: bad label " + label);
        return to - pc - 1;
    }
}
