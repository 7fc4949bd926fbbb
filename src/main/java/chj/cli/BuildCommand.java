package chj.cli;

import chj.build.BuildException;
import chj.build.BuildOptions;
import chj.build.Builder;
import chj.build.ForceMode;
import chj.build.dockerfile.TagInference;
import chj.image.Puller;
import chj.image.TransferProgress;
import chj.oci.Reference;
import chj.registry.RegistryClient;
import chj.store.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "build", description = "Build an image from a Dockerfile.")
final class BuildCommand implements Callable<Integer> {

    @ParentCommand
    ImageMain top;

    @Option(names = {"-t", "--tag"}, paramLabel = "TAG", description = "name of the image (default: inferred)")
    String tag;

    @Option(names = {"-f", "--file"}, paramLabel = "DOCKERFILE", description = "Dockerfile (default: CONTEXT/Dockerfile; - for stdin)")
    String file;

    @Option(names = "--build-arg", paramLabel = "KEY[=VALUE]", description = "set build-time variable (without =, from the environment)")
    List<String> buildArgs = new ArrayList<>();

    @Option(names = {"-b", "--bind"}, paramLabel = "SRC[:DST]", description = "bind-mount SRC at DST for RUN")
    List<String> binds = new ArrayList<>();

    @Option(names = "--force", paramLabel = "MODE", arity = "0..1", fallbackValue = "seccomp",
            description = "root emulation for RUN: seccomp (default) or none")
    String force = "seccomp";

    @Option(names = "--no-cache", description = "don't use the build cache")
    boolean noCache;

    @Option(names = "--rebuild", description = "execute every instruction, recording the results in the cache")
    boolean rebuild;

    @Option(names = "--target", paramLabel = "STAGE", description = "build up to this stage")
    String target;

    @Parameters(index = "0", paramLabel = "CONTEXT", description = "context directory (- for none)")
    String context;

    @Override
    public Integer call() throws Exception {
        Context ctx = new Context(top.global);
        ForceMode mode = ForceMode.parse(force);
        Path contextDir = null;
        if (!context.equals("-")) {
            contextDir = Path.of(context).toAbsolutePath().normalize();
            if (!Files.isDirectory(contextDir)) throw new BuildException("context not a directory: " + context);
        }
        String dfName;
        String text;
        if ("-".equals(file) || (file == null && contextDir == null)) {
            dfName = "-";
            text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        } else {
            Path df = file != null ? Path.of(file) : contextDir.resolve("Dockerfile");
            dfName = file != null ? file : df.toString();
            try {
                text = Files.readString(df, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new BuildException("can't read Dockerfile: " + dfName + ": " + e.getMessage());
            }
        }
        String name = tag;
        if (name == null) {
            name = TagInference.infer(file, context).orElseThrow(() -> new BuildException(
                    "can't infer tag from " + (file == null ? context : file), "use -t"));
        }
        Reference ref;
        try {
            ref = Reference.parse(name, ctx.env);
        } catch (IllegalArgumentException e) {
            throw new BuildException("-t: " + e.getMessage());
        }
        Map<String, String> args = new LinkedHashMap<>();
        for (String a : buildArgs) {
            int eq = a.indexOf('=');
            if (eq == 0) throw new BuildException("--build-arg: no name: " + a);
            if (eq > 0) args.put(a.substring(0, eq), a.substring(eq + 1));
            else if (ctx.env.containsKey(a)) args.put(a, ctx.env.get(a));
            else throw new BuildException("--build-arg: " + a + ": no value given and not in the environment");
        }
        List<String> bindSpecs = new ArrayList<>();
        for (String b : binds) {
            if (b.isEmpty() || b.startsWith(":")) throw new BuildException("-b: no source: " + b);
            bindSpecs.add(b.contains(":") ? b : b + ":" + b);
        }
        BuildOptions.CacheMode cache = noCache ? BuildOptions.CacheMode.DISABLED
                : rebuild ? BuildOptions.CacheMode.REBUILD : cacheFromEnvironment(ctx.env.get("CH_IMAGE_CACHE"));
        BuildOptions options = new BuildOptions(text, dfName, contextDir, ref, args, bindSpecs, mode, cache, target);
        try (Storage store = ctx.openStorage()) {
            Builder.ImageFetcher fetcher = r -> {
                try (RegistryClient registry = ctx.registry()) {
                    new Puller(store, registry, ctx.log, TransferProgress.NONE)
                            .pull(r, null, new Puller.Options(ctx.arch(), ctx.alwaysDownload(), 4));
                }
            };
            new Builder(store, ctx.log, options, fetcher, null).build();
        }
        return 0;
    }

    private static BuildOptions.CacheMode cacheFromEnvironment(String v) throws BuildException {
        if (v == null || v.isEmpty() || v.equals("enabled")) return BuildOptions.CacheMode.ENABLED;
        if (v.equals("disabled")) return BuildOptions.CacheMode.DISABLED;
        if (v.equals("rebuild")) return BuildOptions.CacheMode.REBUILD;
        throw new BuildException("CH_IMAGE_CACHE: unknown mode: " + v, "use enabled, disabled or rebuild");
    }
}
