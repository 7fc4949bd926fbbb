package chj.build.dockerfile;

import java.util.List;

/** A FROM and the instructions after it, up to the next FROM. {@code index} counts stages from 0. */
public record Stage(int index, Instruction.From from, List<Instruction> instructions) {

    public Stage {
        instructions = List.copyOf(instructions);
    }

    /** The {@code AS} name in lower case, or null. */
    public String name() {
        return from.name();
    }
}
