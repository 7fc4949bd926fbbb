package chj.build.dockerfile;

import java.util.List;
import java.util.Map;

/**
 * What the executor does for one instruction, every variable substituted and every path made
 * absolute. {@link StageBuild#apply} makes them; the config changes are already in
 * {@link StageBuild#config()}. Each carries its {@link HistoryEntry}.
 */
public sealed interface Step {

    Instruction instruction();

    HistoryEntry history();

    /** Whether the step writes to the image's filesystem (so it may make a layer). */
    default boolean changesFilesystem() {
        return switch (this) {
            case Run r -> true;
            case Copy c -> true;
            case Add a -> true;
            case Workdir w -> w.create();
            case Config c -> false;
        };
    }

    /** A RUN --mount with its source resolved ({@code from} is the context when none was given). */
    record Mount(RunMount spec, CopyFrom from) {}

    /**
     * Run {@code argv} in the image.
     *
     * @param environment exactly the variables the command gets: the image's ENV and the stage's
     *     ARGs in order of definition, proxy build arguments, and a default PATH if none
     * @param script a {@code RUN <<EOF} script starting with {@code #!}, to make available at its
     *     path (argv runs it); null otherwise
     */
    record Run(Instruction.Run instruction, List<String> argv, Map<String, String> environment, String workingDir,
            String user, InlineFile script, List<Mount> mounts, String network, String security, HistoryEntry history)
            implements Step {
        public Run {
            argv = List.copyOf(argv);
            environment = Map.copyOf(environment);
            mounts = List.copyOf(mounts);
        }
    }

    /**
     * Copy {@code sources} (relative to the context or the {@code from} stage/image root; globs
     * allowed) and {@code inline} files to {@code destination}, which is absolute and keeps a trailing
     * {@code /} when it was written with one (then it names a directory). {@code chown}/{@code chmod}
     * are as written after substitution, or null.
     */
    record Copy(Instruction.Copy instruction, CopyFrom from, List<String> sources, List<InlineFile> inline,
            String destination, String chown, String chmod, boolean link, List<String> excludes, boolean parents,
            HistoryEntry history) implements Step {
        public Copy {
            sources = List.copyOf(sources);
            inline = List.copyOf(inline);
            excludes = List.copyOf(excludes);
        }
    }

    /** Like {@link Copy} from the context, plus URLs to download and local tar archives to unpack. */
    record Add(Instruction.Add instruction, List<String> sources, List<InlineFile> inline, String destination,
            String chown, String chmod, boolean link, List<String> excludes, String checksum, Boolean keepGitDir,
            Boolean unpack, HistoryEntry history) implements Step {
        public Add {
            sources = List.copyOf(sources);
            inline = List.copyOf(inline);
            excludes = List.copyOf(excludes);
        }

        /** Whether a source is a URL to download rather than a context path. */
        public static boolean isUrl(String source) {
            return source.startsWith("http://") || source.startsWith("https://");
        }
    }

    /** WORKDIR: {@code path} is absolute; when {@code create}, make it (with parents) as {@code user}. */
    record Workdir(Instruction.Workdir instruction, String path, String user, boolean create, HistoryEntry history)
            implements Step {}

    /** An instruction that only changes the config (or ARG scope). */
    record Config(Instruction instruction, HistoryEntry history) implements Step {}
}
