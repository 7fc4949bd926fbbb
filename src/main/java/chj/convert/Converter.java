package chj.convert;

import chj.Log;
import chj.layer.LayerException;
import chj.layer.LayerWriter;
import chj.oci.Reference;
import chj.store.ImageLock;
import chj.store.Storage;
import chj.store.StoreException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * {@code ch-convert}: any image format to any other, straight where one side is a directory tree
 * (a directory, an image in the store) and by way of a scratch directory otherwise. Every output is
 * written under a temporary name and renamed into place when complete, so a failure leaves no
 * partial OUT; {@code -n} validates both sides and stops.
 */
public final class Converter {

    /**
     * The options of one conversion.
     *
     * @param storage   {@code -s}: the store directory (null: CH_IMAGE_STORAGE or the default)
     * @param tmp       {@code --tmp}: where scratch space goes (null: TMPDIR, else /var/tmp)
     * @param xattrs    keep {@code user.*} extended attributes ({@code --xattrs}, {@code CH_XATTRS})
     * @param verbosity -q… negative, -v… positive
     */
    public record Options(String storage, String tmp, boolean noClobber, boolean dryRun, boolean xattrs, int verbosity) {}

    private final Options options;
    private final Map<String, String> env;
    private final String user;
    private final Log log;
    private Storage store;

    public Converter(Options options, Map<String, String> env, String user, Log log) {
        this.options = options;
        this.env = env;
        this.user = user;
        this.log = log;
    }

    /** Converts {@code in} to {@code out}; a null format is inferred from the descriptor. */
    public void convert(String in, Format inFormat, String out, Format outFormat) throws ConvertException {
        Format inF = inFormat != null ? inFormat : Format.infer(in, true);
        Format outF = outFormat != null ? outFormat : Format.infer(out, false);
        log.info(String.format("input:   %-8s  %s", inF, in));
        log.info(String.format("output:  %-8s  %s", outF, out));
        if (inF == outF) throw new ConvertException("input and output formats must be different");
        Instant epoch;
        try {
            epoch = LayerWriter.sourceDateEpoch(env);
        } catch (LayerException e) {
            throw new ConvertException(e.getMessage());
        }
        try (Scratch scratch = new Scratch(Scratch.parent(options.tmp(), env.get("TMPDIR")), log)) {
            Job job = new Job(log, new Programs(env, log), scratch, env, options.noClobber(), options.xattrs(), epoch,
                    options.verbosity() > 0);
            try (Source source = source(inF, in, job)) {
                Sink sink = sink(outF, out, job, defaultTag(inF, in));
                if (options.dryRun()) {
                    log.info("dry run: nothing converted");
                    return;
                }
                switch (source) {
                    case Source.InPlace p -> sink.write(p.tree());
                    case Source.Packed p -> sink.write(p);
                }
            }
        } finally {
            if (store != null) store.close();
        }
        log.info("done");
    }

    private Source source(Format f, String in, Job job) throws ConvertException {
        return switch (f) {
            case CH_IMAGE -> storeImage(in);
            case DIR -> {
                Path dir = Path.of(in);
                if (!Files.isDirectory(dir)) throw new ConvertException("not a directory: " + in);
                yield new Source.InPlace(Tree.of(dir, Tree.BUILD_CACHE, null), null);
            }
            case TAR -> new TarInput(Path.of(in), job);
            case SQUASH -> new SquashInput(Path.of(in), job);
            case OCI -> new OciInput(OciPath.parse(in), job);
            case DOCKER, PODMAN -> Engine.connect(f, job).input(in);
        };
    }

    /** An image in the store, read in place under its lock (so that no pull replaces it meanwhile). */
    private Source storeImage(String name) throws ConvertException {
        Reference ref = reference(name);
        if (!Files.isDirectory(storageRoot())) throw new ConvertException("source image not found in ch-image storage: " + name);
        Storage s = store();
        ImageLock lock;
        try {
            lock = s.lockImage(ref.storeName());
        } catch (StoreException e) {
            throw new ConvertException(e.getMessage(), e.hint(), e);
        }
        Path dir = s.imageDir(ref);
        if (!Files.isDirectory(dir)) {
            lock.close();
            throw new ConvertException("source image not found in ch-image storage: " + name);
        }
        return new Source.InPlace(Tree.of(dir, Tree.BUILD_CACHE, () -> PulledLayers.find(s, dir)), lock);
    }

    private Sink sink(Format f, String out, Job job, String tag) throws ConvertException {
        return switch (f) {
            case CH_IMAGE -> {
                Reference ref = reference(out);
                // a dry run creates no store; one that is not there holds nothing to clobber
                if (options.dryRun() && !Files.isDirectory(storageRoot())) yield null;
                yield new StoreSink(store(), ref, job);
            }
            case DIR -> new DirSink(Path.of(out), job);
            case TAR -> new TarSink(Path.of(out), job);
            case SQUASH -> new SquashSink(Path.of(out), job);
            case OCI -> new OciSink(OciPath.parse(out), tag, job);
            case DOCKER, PODMAN -> {
                Engine engine = Engine.connect(f, job);
                if (job.noClobber() && engine.hasImage(out))
                    throw new ConvertException("exists in " + f + " storage, not deleting per --no-clobber: " + out);
                yield new Sink(job) {
                    @Override
                    void write(Tree tree) throws ConvertException {
                        engine.write(tree, out);
                    }
                };
            }
        };
    }

    /** The tag an OCI output gets when OUT names none: the input image's, for images with names. */
    private String defaultTag(Format f, String in) {
        if (f != Format.CH_IMAGE && f != Format.DOCKER && f != Format.PODMAN) return null;
        try {
            return Reference.parse(in, env).tag();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private Reference reference(String name) throws ConvertException {
        try {
            return Reference.parse(name, env);
        } catch (IllegalArgumentException e) {
            throw new ConvertException(e.getMessage());
        }
    }

    private Path storageRoot() throws ConvertException {
        try {
            return Storage.resolveRoot(options.storage(), env, user);
        } catch (StoreException e) {
            throw new ConvertException(e.getMessage(), e.hint(), e);
        }
    }

    private Storage store() throws ConvertException {
        if (store == null) {
            try {
                store = Storage.open(storageRoot());
            } catch (StoreException e) {
                throw new ConvertException(e.getMessage(), e.hint(), e);
            }
        }
        return store;
    }
}
