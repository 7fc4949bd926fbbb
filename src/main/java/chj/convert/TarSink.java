package chj.convert;

import chj.layer.Compression;
import chj.layer.Compressors;
import chj.layer.LayerException;
import chj.layer.LayerWriter;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tarball of the image, compressed as its name says ({@code .tar}, {@code .tar.gz}/{@code .tgz},
 * {@code .tar.zst}/{@code .tzst}) on all cores. A tarbomb (members at the top level, as Docker
 * wants them), owned by 0:0, reproducible (see {@link LayerWriter}), with {@code ch/} and without
 * build-cache files.
 */
final class TarSink extends Sink {

    private final Path out;
    private final Compression compression;

    TarSink(Path out, Job job) throws ConvertException {
        super(job);
        this.out = out;
        String name = out.getFileName().toString();
        if (!name.matches(".*\\.(tar|tar\\.gz|tgz|tar\\.zst|tzst)"))
            throw new ConvertException("unsupported tarball name: " + out, "use .tar, .tar.gz, .tgz, .tar.zst or .tzst");
        this.compression = Compressors.forFileName(name);
        checkFileOutput(out, job);
    }

    /** The checks of every single-file output: its directory exists; an existing file only without --no-clobber. */
    static void checkFileOutput(Path out, Job job) throws ConvertException {
        Path parent = out.toAbsolutePath().normalize().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new ConvertException("not a directory: " + parent);
        if (Files.isDirectory(out)) throw new ConvertException("exists and is a directory: " + out);
        if (Files.exists(out) && job.noClobber()) throw new ConvertException("exists, not deleting per --no-clobber: " + out);
    }

    @Override
    void write(Tree tree) throws ConvertException {
        try (PendingOutput pending = PendingOutput.beside(out, job.log())) {
            job.log().info("packing ...");
            try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(pending.path()), 1 << 20);
                 OutputStream compressed = Compressors.compress(compression, file)) {
                new LayerWriter(job.log()::warning).exclude(excluding(tree, pending.path())).clampMtimes(job.epoch())
                        .xattrs(job.xattrs()).writeTree(tree.root(), compressed);
            } catch (IOException e) {
                throw new ConvertException("can't write " + pending.path() + ": " + e.getMessage(), null, e);
            } catch (LayerException e) {
                throw new ConvertException(e.getMessage(), null, e);
            }
            pending.commit();
        }
    }
}
