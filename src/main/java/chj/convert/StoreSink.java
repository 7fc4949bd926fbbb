package chj.convert;

import chj.image.ImageException;
import chj.image.Importer;
import chj.layer.LayerException;
import chj.oci.OciException;
import chj.oci.Reference;
import chj.store.Storage;
import chj.store.StoreException;

/**
 * An image in ch-image's store, made by {@code ch-image import}'s code: filled in a staging
 * directory of the store, given its metadata, published by rename under the image's lock. The
 * config comes along (OCI, Docker, or the tree's own {@code ch/config.json} or {@code ch/environment}),
 * so ENTRYPOINT, CMD and the environment survive a round trip.
 */
final class StoreSink extends Sink {

    private final Storage store;
    private final Reference name;

    StoreSink(Storage store, Reference name, Job job) throws ConvertException {
        super(job);
        this.store = store;
        this.name = name;
        if (job.noClobber() && store.imageExists(name.storeName()))
            throw new ConvertException("exists in ch-image storage, not deleting per --no-clobber: " + name);
    }

    @Override
    void write(Tree tree) throws ConvertException {
        run(tree.root().toString(), dir -> {
            FileTrees.copy(tree.root(), dir, excluding(tree, dir), job.log());
            return new Importer.Filled(dir, tree.config());
        });
    }

    @Override
    void write(Source.Packed packed) throws ConvertException {
        run("ch-convert", dir -> {
            Source.Unpacked u = packed.unpackInto(dir);
            return new Importer.Filled(u.root(), u.config() != null ? u.config() : Tree.configOf(u.root()));
        });
    }

    private void run(String source, Importer.Filler<ConvertException> filler) throws ConvertException {
        try {
            new Importer(store, job.log()).importTree(name, source, !job.noClobber(), filler);
        } catch (ImageException e) {
            throw new ConvertException(e.getMessage(), e.hint(), e);
        } catch (StoreException e) {
            throw new ConvertException(e.getMessage(), e.hint(), e);
        } catch (OciException e) {
            throw new ConvertException(e.getMessage(), e.hint(), e);
        } catch (LayerException e) {
            throw new ConvertException(e.getMessage(), null, e);
        }
    }
}
