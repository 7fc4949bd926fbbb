package chj.build.dockerfile;

import java.util.List;

/**
 * One parsed Dockerfile instruction. Arguments are kept as written: variables are substituted at
 * build time ({@link StageBuild}), because their values depend on the ARGs and ENVs before them.
 */
public sealed interface Instruction {

    Source source();

    default SourceLocation location() {
        return source().location();
    }

    /** The instruction's name in upper case, e.g. {@code RUN}. */
    default String keyword() {
        return switch (this) {
            case From x -> "FROM";
            case Run x -> "RUN";
            case Copy x -> "COPY";
            case Add x -> "ADD";
            case Env x -> "ENV";
            case Arg x -> "ARG";
            case Workdir x -> "WORKDIR";
            case Shell x -> "SHELL";
            case User x -> "USER";
            case Label x -> "LABEL";
            case Cmd x -> "CMD";
            case Entrypoint x -> "ENTRYPOINT";
            case Expose x -> "EXPOSE";
            case Volume x -> "VOLUME";
            case StopSignal x -> "STOPSIGNAL";
            case Healthcheck x -> "HEALTHCHECK";
            case Onbuild x -> "ONBUILD";
            case Maintainer x -> "MAINTAINER";
        };
    }

    /**
     * {@code FROM [--platform=P] IMAGE [AS NAME]}.
     *
     * @param name the stage name in lower case (Docker compares them without case), or null
     * @param platform the {@code --platform} value as written, or null
     */
    record From(Source source, String image, String name, String platform) implements Instruction {}

    /**
     * {@code RUN [--mount=…] [--network=…] [--security=…] command}.
     *
     * @param mounts the {@code --mount} values as written, in order
     * @param network null when not given
     * @param security null when not given
     */
    record Run(Source source, CommandLine command, List<Heredoc> heredocs, List<String> mounts, String network,
            String security) implements Instruction {
        public Run {
            heredocs = List.copyOf(heredocs);
            mounts = List.copyOf(mounts);
        }
    }

    /**
     * {@code COPY [--from=…] [--chown=…] [--chmod=…] [--link] [--exclude=…] [--parents] SRC... DEST}.
     *
     * @param sources source paths as written (heredoc sources are in {@code inline})
     * @param inline here-documents copied as files named after their delimiter
     * @param from stage name, stage index or image reference; null for the build context
     */
    record Copy(Source source, List<String> sources, List<Heredoc> inline, String destination, String from,
            String chown, String chmod, boolean link, List<String> excludes, boolean parents) implements Instruction {
        public Copy {
            sources = List.copyOf(sources);
            inline = List.copyOf(inline);
            excludes = List.copyOf(excludes);
        }
    }

    /**
     * {@code ADD [--chown=…] [--chmod=…] [--link] [--checksum=…] [--keep-git-dir] [--unpack] SRC... DEST}: like
     * COPY, and local tar archives are unpacked, URLs downloaded.
     *
     * @param keepGitDir null when not given
     * @param unpack null when not given (then: local archives are unpacked, downloads are not)
     */
    record Add(Source source, List<String> sources, List<Heredoc> inline, String destination, String chown,
            String chmod, boolean link, List<String> excludes, String checksum, Boolean keepGitDir, Boolean unpack)
            implements Instruction {
        public Add {
            sources = List.copyOf(sources);
            inline = List.copyOf(inline);
            excludes = List.copyOf(excludes);
        }
    }

    record Env(Source source, List<KeyValue> pairs) implements Instruction {
        public Env {
            pairs = List.copyOf(pairs);
        }
    }

    record Arg(Source source, List<ArgDefinition> definitions) implements Instruction {
        public Arg {
            definitions = List.copyOf(definitions);
        }
    }

    record Workdir(Source source, String path) implements Instruction {}

    /** {@code SHELL ["executable", "params"]}; only the JSON form exists. */
    record Shell(Source source, List<String> argv) implements Instruction {
        public Shell {
            argv = List.copyOf(argv);
        }
    }

    record User(Source source, String user) implements Instruction {}

    record Label(Source source, List<KeyValue> pairs) implements Instruction {
        public Label {
            pairs = List.copyOf(pairs);
        }
    }

    record Cmd(Source source, CommandLine command) implements Instruction {}

    record Entrypoint(Source source, CommandLine command) implements Instruction {}

    /** @param ports port specifications as written, e.g. {@code 80/tcp}, {@code $PORT} */
    record Expose(Source source, List<String> ports) implements Instruction {
        public Expose {
            ports = List.copyOf(ports);
        }
    }

    record Volume(Source source, List<String> paths) implements Instruction {
        public Volume {
            paths = List.copyOf(paths);
        }
    }

    record StopSignal(Source source, String signal) implements Instruction {}

    record Healthcheck(Source source, HealthConfig health) implements Instruction {}

    /**
     * {@code ONBUILD INSTRUCTION}: recorded in the image config, run when an image is built FROM it.
     *
     * @param trigger the parsed trigger, so that a bad trigger fails now, not in someone else's build
     * @param expression the trigger's text as it goes into {@code config.OnBuild}
     */
    record Onbuild(Source source, Instruction trigger, String expression) implements Instruction {}

    record Maintainer(Source source, String name) implements Instruction {}
}
