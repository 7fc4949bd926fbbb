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

/**
 * An image tree to write out: its root, what to leave out, its config, and (for a pulled image in
 * the store) the registry layers it may still be identical to.
 *
 * @param config the image's config: from the format it came in (OCI, Docker), else from its
 *               {@code ch/} metadata; null when it has none
 * @param pulled null unless the tree is a store image that was pulled
 */
record Tree(Path root, Set<String> exclude, ImageConfig config, PulledLayers pulled) {

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
