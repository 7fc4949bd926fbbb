package chj.convert;

import java.nio.file.Path;

/**
 * An OCI layout descriptor, {@code PATH[:TAG]} as skopeo's {@code oci:} transport writes it: the tag
 * selects the index entry whose {@code org.opencontainers.image.ref.name} it is. A colon counts only
 * in the last path component, so directories with colons in their names above it still work.
 *
 * @param tag null when not given
 */
public record OciPath(Path path, String tag) {

    public static OciPath parse(String descriptor) {
        int slash = descriptor.lastIndexOf('/');
        int colon = descriptor.indexOf(':', slash + 1);
        if (colon <= slash + 1 || colon == descriptor.length() - 1) return new OciPath(Path.of(descriptor), null);
        return new OciPath(Path.of(descriptor.substring(0, colon)), descriptor.substring(colon + 1));
    }
}
