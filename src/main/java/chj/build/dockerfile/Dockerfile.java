package chj.build.dockerfile;

import java.util.List;

/**
 * A parsed Dockerfile.
 *
 * @param directives parser directives ({@code escape}, {@code syntax}, {@code check}) in file order
 * @param globalArgs the ARG instructions before the first FROM: their values are usable in FROM lines
 *     only, unless a stage declares the ARG again
 * @param stages at least one
 * @param escape the escape character, {@code \} or {@code `}
 * @param warnings things Docker accepts but warns about (empty continuation lines)
 */
public record Dockerfile(List<Directive> directives, List<Instruction.Arg> globalArgs, List<Stage> stages, char escape,
        List<Warning> warnings) {

    /** Something suspicious but accepted. */
    public record Warning(SourceLocation location, String message) {
        @Override
        public String toString() {
            return location + ": " + message;
        }
    }

    public Dockerfile {
        directives = List.copyOf(directives);
        globalArgs = List.copyOf(globalArgs);
        stages = List.copyOf(stages);
        warnings = List.copyOf(warnings);
    }

    /**
     * Parses a Dockerfile's text.
     *
     * @param fileName how errors name the file (e.g. the path the user gave, or {@code -} for stdin)
     * @throws ParseException at the first fault, with its location
     */
    public static Dockerfile parse(String text, String fileName) throws ParseException {
        return new DockerfileParser(text, fileName).parse();
    }

    /** The stage named {@code name} (any case), or null. */
    public Stage stage(String name) {
        for (Stage s : stages)
            if (s.name() != null && s.name().equalsIgnoreCase(name)) return s;
        return null;
    }
}
