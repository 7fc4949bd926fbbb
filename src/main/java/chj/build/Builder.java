package chj.build;

import chj.Log;
import chj.build.dockerfile.BuildPlan;
import chj.build.dockerfile.CopyFrom;
import chj.build.dockerfile.Dockerfile;
import chj.build.dockerfile.Instruction;
import chj.build.dockerfile.ParseException;
import chj.build.dockerfile.StageBuild;
import chj.build.dockerfile.Step;
import chj.image.ImageTree;
import chj.image.TreeSnapshot;
import chj.layer.LayerException;
import chj.layer.LayerUnpacker;
import chj.oci.Descriptor;
import chj.oci.Digest;
import chj.oci.ImageConfig;
import chj.oci.ImageConfigBuilder;
import chj.oci.ImageManifest;
import chj.oci.ManifestDocument;
import chj.oci.MediaType;
import chj.oci.OciException;
import chj.oci.Platform;
import chj.oci.Reference;
import chj.store.ImageLock;
import chj.store.Metadata;
import chj.store.StagingDir;
import chj.store.Storage;
import chj.store.StoreException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ch-image build}: walks the Dockerfile's stages, and for each instruction computes its
 * state id ({@link CacheKey}), takes the cached result when there is one ({@code N*}) and otherwise
 * executes it ({@code N.}): RUN through ch-run ({@link Runner}), COPY/ADD ({@link Copier}), WORKDIR's
 * mkdir; each file-changing instruction's changes become a layer ({@link LayerRecorder}). Nothing
 * is materialised until an instruction must really run ({@link BuildCache} explains the design).
 * Every stage is published under the image lock ({@code TAG_stageN} for all but the target), with
 * its config, history, manifest of layers and tree snapshot, so push can send it layer by layer.
 * A failure leaves the store and the cache as they were, but for the states completed before it.
 */
public final class Builder {

    /** Puts an image into the store when a FROM or COPY --from names one that is absent (a pull). */
    @FunctionalInterface
    public interface ImageFetcher {
        void fetch(Reference ref) throws Exception;
    }

    /** What a build did. */
    public record Result(String image, int instructions, int hits, int misses, int modifiedRuns, String state) {}

    /** A finished stage: its image in the store, final state and config. */
    private record StageResult(String storeName, String state, ImageConfig config, List<Descriptor> layers) {}

    private final Storage store;
    private final BuildCache cache;
    private final Log log;
    private final BuildOptions options;
    private final ImageFetcher fetcher;
    private final Runner runner;
    private final LayerRecorder recorder;
    private final Map<Integer, StageResult> stages = new HashMap<>();
    private int counter, hits, misses, modifiedRuns;

    public Builder(Storage store, Log log, BuildOptions options, ImageFetcher fetcher, Path chRun) {
        this.store = store;
        this.cache = new BuildCache(store);
        this.log = log;
        this.options = options;
        this.fetcher = fetcher;
        this.runner = new Runner(chRun == null ? Runner.defaultLauncher() : chRun, options.force(), options.binds());
        this.recorder = new LayerRecorder(store.blobs(), log::warning);
    }

    public Result build() throws BuildException, StoreException {
        Dockerfile df;
        BuildPlan plan;
        try {
            df = Dockerfile.parse(options.dockerfileText(), options.dockerfileName());
            df.warnings().forEach(w -> log.warning(w.toString()));
            plan = BuildPlan.create(df, new BuildPlan.Options(options.buildArgs(), options.target(), Platform.host(),
                    Platform.host()));
        } catch (ParseException e) {
            throw new BuildException(e.getMessage());
        }
        FileLock lock = BuildCache.lock(store, false);
        StageResult last = null;
        try {
            for (BuildPlan.PlannedStage s : plan.stagesToBuild()) {
                boolean target = s.index() == plan.target().index();
                String name = target ? options.tag().storeName() : options.tag().storeName() + "_stage" + s.index();
                last = buildStage(plan, s, name);
                stages.put(s.index(), last);
            }
        } finally {
            BuildCache.unlock(lock);
        }
        log.info("grown in " + counter + " instructions: " + options.tag());
        if (options.force() == ForceMode.SECCOMP)
            log.info("--force=seccomp: modified " + modifiedRuns + " RUN instructions");
        return new Result(options.tag().toString(), counter, hits, misses, modifiedRuns, last.state());
    }

    // ---------------------------------------------------------------- one stage

    /** The working tree of a stage: null until an instruction must run, then always at {@code state}. */
    private StagingDir tree;

    private StageResult buildStage(BuildPlan plan, BuildPlan.PlannedStage ps, String storeName)
            throws BuildException, StoreException {
        tree = null;
        recorder.invalidate();
        try {
            return buildStageIn(plan, ps, storeName);
        } finally {
            runner.closeSession();   // its container holds the tree
            if (tree != null) tree.close();
            tree = null;
        }
    }

    private StageResult buildStageIn(BuildPlan plan, BuildPlan.PlannedStage ps, String storeName)
            throws BuildException, StoreException {
        counter++;
        String state;
        ImageConfig baseConfig;
        List<Descriptor> baseLayers;
        switch (ps.base()) {
            case BuildPlan.Base.Image i -> {
                Reference ref = reference(i.reference());
                boolean present = store.imageExists(ref.storeName());
                log.info(String.format("%3d%s FROM %s", counter, present ? "*" : ".", ref));
                if (!present) fetch(ref);
                Path dir = store.imageDir(ref);
                baseConfig = Metadata.readConfig(dir);
                baseLayers = manifestLayers(dir);
                state = CacheKey.child(null).text("FROM", ref.storeName()).text("image", imageIdentity(dir)).id();
                if (cache.get(state) == null)
                    cache.put(new BuildCache.State(state, null, "FROM " + ref, null, 0, now(), ref.storeName()));
            }
            case BuildPlan.Base.StageOutput so -> {
                StageResult r = stages.get(so.index());
                log.info(String.format("%3d* FROM %s", counter, so.index()));
                state = r.state();
                baseConfig = r.config();
                baseLayers = r.layers();
            }
            case BuildPlan.Base.Scratch sc -> {
                log.info(String.format("%3d* FROM scratch", counter));
                state = CacheKey.child(null).text("FROM", "scratch").id();
                baseConfig = null;
                baseLayers = List.of();
                if (cache.get(state) == null)
                    cache.put(new BuildCache.State(state, null, "FROM scratch", null, 0, now(), null));
            }
        }

        StageBuild sb;
        try {
            sb = plan.begin(ps, baseConfig);
        } catch (ParseException e) {
            throw new BuildException(e.getMessage());
        }
        List<ImageConfig.History> history = new ArrayList<>(baseConfig == null ? List.of() : baseConfig.history());
        List<Digest> diffIds = new ArrayList<>(baseConfig == null ? List.of() : baseConfig.diffIds());
        List<Descriptor> layers = baseLayers == null ? null : new ArrayList<>(baseLayers);

        // RUNs still to come in this stage: after a miss every later instruction misses too, so a
        // miss with a RUN ahead will need the RUN container, which then starts at once
        int runsAhead = (int) sb.instructions().stream().filter(i -> i.keyword().equals("RUN")).count();
        for (Instruction ins : sb.instructions()) {
            counter++;
            boolean runAhead = runsAhead > 0;
            if (ins.keyword().equals("RUN")) runsAhead--;
            Map<String, String> vars = sb.variables();
            Step step;
            try {
                step = sb.apply(ins);
            } catch (ParseException e) {
                throw new BuildException(e.getMessage());
            }
            String text = describe(step);
            String key = key(state, step, text, vars);
            BuildCache.State hit = options.cache() == BuildOptions.CacheMode.ENABLED ? cache.get(key) : null;
            BuildCache.State done;
            if (hit != null) {
                hits++;
                log.info(String.format("%3d* %s", counter, text));
                if (tree != null && hit.layer() != null) applyLayer(hit.layer());
                done = hit;
            } else {
                misses++;
                log.info(String.format("%3d. %s", counter, text));
                LayerRecorder.Layer layer = null;
                if (step.changesFilesystem()) {
                    if (tree == null) tree = materialize(state, runAhead);
                    recorder.before(tree.dir());
                    execute(step, text);
                    layer = recorder.after(tree.dir());
                }
                done = new BuildCache.State(key, state, text, layer == null ? null : layer.diffId(),
                        layer == null ? 0 : layer.size(), now(), null);
                cache.put(done);
            }
            state = key;
            history.add(step.history().withEmptyLayer(done.layer() == null).toOci(done.created()));
            if (done.layer() != null) {
                diffIds.add(done.layer());
                if (layers != null) layers.add(Descriptor.of(MediaType.OCI_LAYER_TAR, done.layer(), done.layerSize()));
            }
        }

        ImageConfig config;
        try {
            ImageConfigBuilder b = baseConfig == null ? ImageConfig.builder(Platform.host()) : baseConfig.toBuilder();
            Platform host = Platform.host();
            b.architecture(host.architecture()).os(host.os()).variant(host.variant());
            sb.config().writeTo(b);
            b.diffIds(diffIds).history(history).created(history.isEmpty() ? now() : history.getLast().created());
            config = b.build();
        } catch (OciException e) {
            throw new BuildException("can't make the image config: " + e.getMessage(), null, e);
        }
        if (!state.equals(builtState(storeName))) {
            if (tree == null) tree = materialize(state, false);
            publish(storeName, state, config, layers);
        }
        return new StageResult(storeName, state, config, layers);
    }

    // ---------------------------------------------------------------- keys

    private String describe(Step step) {
        String by = step.history().createdBy();
        if (step instanceof Step.Run) return options.force().runName() + by.substring(3);
        return by;
    }

    /** Parent, instruction, variables in effect and, for copies, what is copied (by content). */
    private String key(String parent, Step step, String text, Map<String, String> vars) throws BuildException, StoreException {
        CacheKey k = CacheKey.child(parent).text("instruction", text).text("arguments", step.history().comment())
                .variables(vars);
        switch (step) {
            case Step.Run r -> k.variables(new java.util.TreeMap<>(r.environment())).text("binds", String.join("\n", options.binds()))
                    .text("script", r.script() == null ? "" : r.script().content());
            case Step.Copy c -> hashSources(k, c.from(), c.sources(), "COPY", c);
            case Step.Add a -> hashSources(k, new CopyFrom.Context(), a.sources(), "ADD", a);
            default -> { }
        }
        return k.id();
    }

    private void hashSources(CacheKey k, CopyFrom from, List<String> sources, String keyword, Step step)
            throws BuildException, StoreException {
        switch (from) {
            case CopyFrom.Stage s -> k.text("from-stage", stages.get(s.index()).state());
            case CopyFrom.Image i -> {
                Reference ref = reference(i.reference());
                if (!store.imageExists(ref.storeName())) fetch(ref);
                k.text("from-image", imageIdentity(store.imageDir(ref)));
            }
            case CopyFrom.Context c -> {
                Path root = context(keyword, step);
                for (String s : Copier.expand(root, sources, keyword, step.instruction().source())) {
                    try {
                        k.tree(s, RootedPaths.resolve(root, s));
                    } catch (IOException e) {
                        throw new BuildException(step.instruction().source().location() + ": " + keyword + ": can't read "
                                + s + ": " + e.getMessage(), null, e);
                    }
                }
            }
        }
    }

    private Path context(String keyword, Step step) throws BuildException {
        if (options.context() == null && !sourcesOf(step).isEmpty())
            throw new BuildException(step.instruction().source().location() + ": " + keyword + ": there is no context");
        return options.context();
    }

    private static List<String> sourcesOf(Step step) {
        return switch (step) {
            case Step.Copy c -> c.sources();
            case Step.Add a -> a.sources();
            default -> List.of();
        };
    }

    /** What an image in the store is, for keys: its manifest or config digest, else its metadata's. */
    private static String imageIdentity(Path dir) throws StoreException {
        for (Path p : List.of(ImageTree.manifestFile(dir), dir.resolve(Metadata.DIR).resolve(Metadata.CONFIG_JSON),
                dir.resolve(Metadata.DIR).resolve(Metadata.METADATA_JSON))) {
            try {
                return Digest.sha256(Files.readAllBytes(p)).toString();
            } catch (NoSuchFileException e) {
                // next
            } catch (IOException e) {
                throw new StoreException("can't read" + " " + p + ": " + e.getMessage(), null, e);
            }
        }
        return "unknown:" + dir;
    }

    // ---------------------------------------------------------------- execution

    private void execute(Step step, String text) throws BuildException, StoreException {
        Path root = tree.dir();
        var at = step.instruction().source();
        switch (step) {
            case Step.Run r -> {
                try {
                    if (runner.prepareApt(root, r)) modifiedRuns++;
                } catch (IOException e) {
                    throw new BuildException("can't prepare apt: " + e.getMessage(), null, e);
                }
                int status = runner.run(root, r);
                if (status != 0)
                    throw new BuildException("build failed: " + at.location() + ": " + text + ": exit status " + status);
            }
            case Step.Copy c -> {
                Path from = switch (c.from()) {
                    case CopyFrom.Context x -> context("COPY", c);
                    case CopyFrom.Stage s -> store.imageDir(stages.get(s.index()).storeName());
                    case CopyFrom.Image i -> store.imageDir(reference(i.reference()));
                };
                if (c.chown() != null) log.verbose("COPY --chown=" + c.chown() + ": recorded, not applied (no privilege)");
                List<String> srcs = c.sources().isEmpty() ? List.of() : Copier.expand(from, c.sources(), "COPY", at);
                new Copier(root, log::warning).copy("COPY", from, srcs, c.inline(), c.destination(), c.chmod(), false, at);
            }
            case Step.Add a -> {
                for (String s : a.sources())
                    if (Step.Add.isUrl(s)) throw new BuildException(at.location() + ": ADD: URLs are not supported: " + s);
                Path from = context("ADD", a);
                List<String> srcs = a.sources().isEmpty() ? List.of() : Copier.expand(from, a.sources(), "ADD", at);
                new Copier(root, log::warning).copy("ADD", from, srcs, a.inline(), a.destination(), a.chmod(),
                        !Boolean.FALSE.equals(a.unpack()), at);
            }
            case Step.Workdir w -> {
                try {
                    RootedPaths.mkdirs(root, w.path());
                } catch (IOException e) {
                    throw new BuildException(at.location() + ": WORKDIR " + w.path() + ": " + e.getMessage(), null, e);
                }
            }
            case Step.Config c -> { }
        }
    }

    /** A staging tree at {@code state}: its base image cloned, then the build's layers applied in order. */
    /** @param forRun a RUN is ahead: its container starts meanwhile */
    private StagingDir materialize(String state, boolean forRun) throws BuildException, StoreException {
        List<BuildCache.State> chain = cache.chain(state);
        StagingDir dir = store.newStagingDir("build");
        boolean ok = false;
        try {
            if (forRun) runner.prepare(dir.dir());
            BuildCache.State root = chain.getFirst();
            if (root.baseImage() != null) clone(store.imageDir(root.baseImage()), dir.dir());
            else ImageTree.initialize(dir.dir(), null, Log.SILENT);
            StagingDir previous = tree;
            tree = dir;
            for (BuildCache.State s : chain.subList(1, chain.size()))
                if (s.layer() != null) applyLayer(s.layer());
            tree = previous;
            ok = true;
            return dir;
        } finally {
            if (!ok) dir.close();
        }
    }

    /** {@code cp -a --reflink=auto}: shared extents where the filesystem has them (btrfs, XFS), a copy elsewhere. */
    private static void clone(Path from, Path to) throws BuildException {
        try {
            Process p = new ProcessBuilder("cp", "-a", "--reflink=auto", from + "/.", to.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new BuildException("can't copy base image " + from + ": " + out.strip());
        } catch (IOException e) {
            throw new BuildException("can't copy base image " + from + ": " + e.getMessage(), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("interrupted");
        }
    }

    private void applyLayer(Digest layer) throws BuildException {
        recorder.invalidate();
        Path blob = store.blobs().path(layer);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(blob), 1 << 16)) {
            LayerUnpacker u = new LayerUnpacker(tree.dir(), log::warning);
            u.apply(in);
            u.finish();
        } catch (IOException | LayerException e) {
            throw new BuildException("can't apply cached layer " + layer + ": " + e.getMessage(), null, e);
        }
    }

    // ---------------------------------------------------------------- publishing

    /** The file in an image that says which build state it holds. */
    public static Path stateFile(Path imageDir) {
        return imageDir.resolve(Metadata.DIR).resolve("build-state");
    }

    private String builtState(String storeName) {
        try {
            return Files.readString(stateFile(store.imageDir(storeName))).strip();
        } catch (IOException e) {
            return null;
        }
    }

    private void publish(String storeName, String state, ImageConfig config, List<Descriptor> layers)
            throws BuildException, StoreException {
        runner.closeSession();   // no RUN is left in this stage
        Path root = tree.dir();
        ImageTree.initialize(root, config, log);
        try {
            Digest configDigest = store.blobs().putSmall(config.toJson());
            Digest manifestDigest = configDigest;
            if (layers != null) {
                ImageManifest m = ImageManifest.create(Descriptor.of(MediaType.OCI_CONFIG, configDigest, config.size()),
                        layers, Map.of());
                ImageTree.writeRecord(root, m.raw(), config);
                manifestDigest = m.digest();
            } else {
                Files.deleteIfExists(ImageTree.manifestFile(root));
            }
            Files.writeString(stateFile(root), state + "\n");
            TreeSnapshot.record(root, manifestDigest, options.tag().toString());
        } catch (IOException e) {
            throw new BuildException("can't write image record: " + e.getMessage(), null, e);
        }
        try (ImageLock lock = store.lockImage(storeName)) {
            store.publishImage(lock, root);
        }
        tree.close();
        tree = null;
    }

    /** The layers of an image in the store, from its manifest; null when it has none (an import). */
    private static List<Descriptor> manifestLayers(Path dir) throws StoreException {
        Path f = ImageTree.manifestFile(dir);
        try {
            return ManifestDocument.parse(Files.readAllBytes(f)) instanceof ImageManifest m ? m.layers() : null;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | OciException e) {
            throw new StoreException("can't read " + f + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- helpers

    private Reference reference(String text) throws BuildException {
        try {
            return Reference.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BuildException(e.getMessage());
        }
    }

    private void fetch(Reference ref) throws BuildException {
        try {
            fetcher.fetch(ref);
        } catch (BuildException e) {
            throw e;
        } catch (Exception e) {
            throw new BuildException("can't pull " + ref + ": " + e.getMessage(), null, e);
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
