package chj.convert;

import chj.image.Importer;
import chj.layer.LayerException;
import chj.layer.LayerUnpacker;
import chj.oci.Descriptor;
import chj.oci.Digest;
import chj.oci.ImageConfig;
import chj.oci.ImageIndex;
import chj.oci.ImageManifest;
import chj.oci.ManifestDocument;
import chj.oci.MediaType;
import chj.oci.OciException;
import chj.oci.PlatformSelector;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An OCI image layout, a directory or a tar archive of one ({@code skopeo copy … oci-archive:}):
 * index.json, then the tagged manifest (through nested indexes by the host's platform), its config
 * and its layers, each layer streamed once through its blob digest, decompression and DiffID
 * check into the unpacker. Nothing unverified survives: a wrong digest fails the conversion.
 */
final class OciInput implements Source.Packed {

    private final OciPath source;
    private final Job job;

    OciInput(OciPath source, Job job) throws ConvertException {
        if (!Files.exists(source.path())) throw new ConvertException("not found: " + source.path());
        this.source = source;
        this.job = job;
    }

    @Override
    public Source.Unpacked unpackInto(Path dir) throws ConvertException {
        Path layoutDir = source.path();
        Path archive = null;
        try {
            if (!Files.isDirectory(layoutDir)) {
                job.log().info("unpacking archive ...");
                archive = job.scratch().newDirectory("oci-archive");
                try {
                    layoutDir = Importer.unpackTarball(source.path(), archive, job.log());
                } catch (IOException | LayerException e) {
                    throw new ConvertException("can't unpack OCI archive " + source.path() + ": " + e.getMessage(), null, e);
                }
            }
            OciLayout layout = OciLayout.open(layoutDir, source.path().toString());
            ImageManifest manifest = manifest(layout);
            ImageConfig config;
            try {
                config = ImageConfig.parse(layout.readSmall(manifest.config(), "config"));
            } catch (OciException e) {
                throw new ConvertException(source.path() + ": config: " + e.getMessage());
            }
            unpackLayers(layout, manifest, config, dir);
            return new Source.Unpacked(dir, config);
        } finally {
            if (archive != null) job.scratch().release(archive);
        }
    }

    /** The selected image manifest, through nested indexes by the host's platform. */
    private ImageManifest manifest(OciLayout layout) throws ConvertException {
        Descriptor d = layout.select(layout.index(), source.tag());
        try {
            for (int depth = 0; ; depth++) {
                ManifestDocument doc = ManifestDocument.parse(layout.readSmall(d, "manifest"));
                if (doc instanceof ImageManifest m) {
                    if (m.isArtifact())
                        throw new ConvertException(source.path() + ": " + d.digest() + " is not a container image (config type "
                                + m.config().mediaType() + ")");
                    return m;
                }
                if (depth >= 4) throw new ConvertException(source.path() + ": image indexes nested too deep");
                PlatformSelector.Selection s = PlatformSelector.forHost().select((ImageIndex) doc, PlatformSelector.HOST);
                s.warnings().forEach(job.log()::warning);
                d = s.descriptor();
            }
        } catch (OciException e) {
            throw new ConvertException(source.path() + ": " + e.getMessage(), e.hint(), e);
        }
    }

    private void unpackLayers(OciLayout layout, ImageManifest manifest, ImageConfig config, Path dir) throws ConvertException {
        List<Descriptor> layers = manifest.layers();
        List<Digest> diffIds = config.diffIds();
        if (diffIds.size() != layers.size())
            throw new ConvertException(source.path() + ": config lists " + diffIds.size() + " diff_ids but the manifest "
                    + layers.size() + " layers");
        LayerUnpacker unpacker = new LayerUnpacker(dir, job.log()::warning);
        Set<Digest> seen = new HashSet<>();
        job.log().info("unpacking " + layers.size() + " layer(s) ...");
        for (int i = 0; i < layers.size(); i++) {
            Descriptor d = layers.get(i);
            if (!seen.add(d.digest())) continue; // applying a layer twice changes nothing (Charliecloud #1568)
            try {
                MediaType.checkLayer(d.mediaType());
            } catch (OciException e) {
                throw new ConvertException(source.path() + ": layer " + d.digest() + ": " + e.getMessage(), e.hint());
            }
            Path blob = layout.blob(d);
            MessageDigest blobHash = d.digest().newHasher();
            Digest diffId;
            try (InputStream raw = new DigestInputStream(new BufferedInputStream(Files.newInputStream(blob), 1 << 18), blobHash)) {
                diffId = unpacker.applyBlob(raw);
            } catch (LayerException e) {
                throw new ConvertException(source.path() + ": layer " + d.digest() + ": " + e.getMessage(), null, e);
            } catch (IOException e) {
                throw new ConvertException(source.path() + ": layer " + d.digest() + ": can't decompress: " + e.getMessage(), null, e);
            }
            Digest actualBlob = new Digest(d.digest().algorithm(), java.util.HexFormat.of().formatHex(blobHash.digest()));
            if (!actualBlob.equals(d.digest()))
                throw new ConvertException(source.path() + ": layer blob " + d.digest() + " is corrupt: its content hashes to " + actualBlob);
            if (!diffId.equals(diffIds.get(i)))
                throw new ConvertException(source.path() + ": layer " + d.digest() + ": DiffID (sha256 of the uncompressed tar) is "
                        + diffId + " but the config says " + diffIds.get(i));
        }
        try {
            unpacker.finish();
        } catch (LayerException e) {
            throw new ConvertException(e.getMessage(), null, e);
        }
    }
}
