package chj.cli;

import chj.args.ArgSpec;
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

final class BuildCommand implements Subcommand {

    private String tag;
    private String file;
    private final List<String> buildArgs = new ArrayList<>();
    private final List<String> binds = new ArrayList<>();
    private String force = "seccomp";
    private String target;
    private String context;

    @Override
    public ArgSpec spec() {
        return new ArgSpec("ch-image build", "Build an image from a Dockerfile.")
                .value("-b, --bind", "SRC[:DST]", "bind-mount SRC at DST for RUN", binds::add)
                .value("--build-arg", "KEY[=VALUE]", "set build-time variable (without =, from the environment)", buildArgs::add)
                .value("-f, --file", "DOCKERFILE", "Dockerfile (default: CONTEXT/Dockerfile; - for stdin)", v -> file = v)
                // --force alone is seccomp; the next argument is its value only if it names a mode
                .optionalValue("--force", "MODE", "root emulation for RUN: seccomp (the default) or none",
                        BuildCommand::isForceMode, v -> force = v == null ? "seccomp" : v)
                .value("-t, --tag", "TAG", "name of the image (default: inferred)", v -> tag = v)
                .value("--target", "STAGE", "build up to this stage", v -> target = v)
                .operand("CONTEXT", "context directory (- for none)", v -> context = v);
    }

    private static boolean isForceMode(String s) {
        return s.equals("seccomp") || s.equals("none") || s.equals("fakeroot");
    }

    @Override
    public void run(Context ctx) throws Exception {
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
            } catch (java.nio.file.NoSuchFileException e) {
                throw new BuildException("can't read Dockerfile: " + dfName + ": no such file");
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
        BuildOptions.CacheMode cache = ctx.cacheMode() != null ? ctx.cacheMode() : cacheFromEnvironment(ctx.env.get("CH_IMAGE_CACHE"));
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
    }

    private static BuildOptions.CacheMode cacheFromEnvironment(String v) throws BuildException {
        if (v == null || v.isEmpty() || v.equals("enabled")) return BuildOptions.CacheMode.ENABLED;
        if (v.equals("disabled")) return BuildOptions.CacheMode.DISABLED;
        if (v.equals("rebuild")) return BuildOptions.CacheMode.REBUILD;
        throw new BuildException("CH_IMAGE_CACHE: unknown mode: " + v, "use enabled, disabled or rebuild");
    }
}
