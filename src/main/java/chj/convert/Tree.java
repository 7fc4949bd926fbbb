package chj.convert;

import chj.oci.ImageConfig;
import chj.oci.OciException;
import chj.oci.Platform;
import chj.store.Metadata;
import chj.store.StoreException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * An image tree to write out: its root, what to leave out, its config, and (for a pulled image in
 * the store) the registry layers it may still be identical to.
 *
 * @param carried the config the image's format carried (OCI, Docker); null when its {@code ch/}
 *                metadata is all there is
 * @param pulled  finds the registry layers of a store image that was pulled (only OCI outputs ask,
 *                and reading the manifest has a start-up cost); null for other trees
 */
record Tree(Path root, Set<String> exclude, ImageConfig carried, Supplier<PulledLayers> pulled) {

    /** A tree whose config, if any, is in its {@code ch/} metadata. */
    static Tree of(Path root, Set<String> exclude, Supplier<PulledLayers> pulled) {
        return new Tree(root, exclude, null, pulled);
    }

    /** The registry layers the tree may still be identical to, or null. */
    PulledLayers pulledLayers() {
        return pulled == null ? null : pulled.get();
    }

    /**
     * The image's config: the one its format carried, else {@link #configOf} its {@code ch/}, read
     * only when an output asks (parsing JSON costs a quarter second of start-up that SquashFS and
     * tarball outputs need not pay); null when there is none.
     */
    ImageConfig config() throws ConvertException {
        return carried != null ? carried : configOf(root);
    }

    /** Build-cache files of Charliecloud and chj images, never part of a converted image. */
    static final Set<String> BUILD_CACHE = Set.of(".git", ".gitignore", "ch/git", "ch/git.pickle");

    /**
     * The config an image tree carries: chj's {@code ch/config.json}, else one with the
     * environment of Charliecloud's {@code ch/environment}, else null.
     */
    static ImageConfig configOf(Path root) throws ConvertException {
        try {
            ImageConfig saved = Metadata.readConfig(root);
            if (saved != null) return saved;
        } catch (StoreException e) {
            throw new ConvertException(e.getMessage(), e.hint(), e);
        }
        Path env = root.resolve(Metadata.DIR).resolve(Metadata.ENVIRONMENT);
        try {
            List<String> lines = new ArrayList<>();
            for (String line : Files.readAllLines(env, StandardCharsets.UTF_8))
                if (line.indexOf('=') > 0) lines.add(line);
            return ImageConfig.builder(Platform.host()).env(lines).build();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new ConvertException("can't read " + env + ": " + e.getMessage());
        } catch (OciException e) {
            throw new ConvertException(env + ": " + e.getMessage());
        }
    }
}
