package chj.convert;

import chj.image.Importer;
import chj.layer.LayerException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A tarball of an image (plain, gzip or zstd, told by its first bytes), unpacked with the layer
 * unpacker's rules by {@code ch-image import}'s code: nothing outside the image, no devices, and
 * one top-level directory stripped when the tarball is not a tarbomb.
 */
final class TarInput implements Source.Packed {

    private final Path tarball;
    private final Job job;

    TarInput(Path tarball, Job job) throws ConvertException {
        if (!Files.exists(tarball)) throw new ConvertException("not found: " + tarball);
        if (!Files.isRegularFile(tarball)) throw new ConvertException("not a file: " + tarball);
        String name = tarball.getFileName().toString();
        if (name.matches(".*\\.(xz|txz|bz2|tbz|tbz2|lz|lzma|Z)"))
            throw new ConvertException("unsupported tarball compression: " + tarball, "use .tar, .tar.gz, .tgz, .tar.zst or .tzst");
        this.tarball = tarball;
        this.job = job;
    }

    @Override
    public Source.Unpacked unpackInto(Path dir) throws ConvertException {
        job.log().info("unpacking ...");
        Path root;
        try {
            root = Importer.unpackTarball(tarball, dir, job.log());
        } catch (LayerException e) {
            throw new ConvertException(tarball + ": " + e.getMessage(), null, e);
        } catch (IOException e) {
            throw new ConvertException("can't unpack " + tarball + ": " + e.getMessage(), null, e);
        }
        if (Files.isRegularFile(root.resolve("oci-layout"), LinkOption.NOFOLLOW_LINKS) && Files.isRegularFile(root.resolve("index.json")))
            throw new ConvertException(tarball + " is an OCI image archive, not an image tarball", "use -i oci");
        return new Source.Unpacked(root, null);
    }
}
