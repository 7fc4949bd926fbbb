package chj.convert;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/** The image formats ch-convert reads and writes, by the names its {@code -i} and {@code -o} take. */
public enum Format {
    CH_IMAGE("ch-image"),
    DIR("dir"),
    TAR("tar"),
    SQUASH("squash"),
    OCI("oci"),
    DOCKER("docker"),
    PODMAN("podman");

    private final String label;

    Format(String label) {
        this.label = label;
    }

    /** The name users type. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }

    /** A format by its name; the message lists the valid ones. */
    public static Format parse(String name) throws ConvertException {
        for (Format f : values()) if (f.label.equals(name.toLowerCase(Locale.ROOT))) return f;
        throw new ConvertException("invalid format: " + name,
                "use one of: " + String.join(", ", Arrays.stream(values()).map(Format::label).toList()));
    }

    /**
     * The format a descriptor's name implies, by Charliecloud's rules with OCI and zstd added, first
     * match winning: {@code *.oci} and {@code *.oci.tar} (before a {@code :TAG}) are OCI layouts;
     * {@code *.sqfs}, {@code *.squash}, {@code *.squashfs}, {@code *.squishy} SquashFS;
     * {@code *.tar}, {@code *.t?z}, {@code *.tar.?}, {@code *.tar.??}, {@code *.tar.zst}, {@code *.tzst}
     * tarballs; a path starting with {@code /} or {@code ./} a directory (an input directory that
     * holds an {@code oci-layout} file is an OCI layout); anything else an image in the store.
     */
    public static Format infer(String descriptor, boolean input) {
        String d = descriptor;
        String base = OciPath.parse(d).path().toString();
        if (base.endsWith(".oci") || base.endsWith(".oci.tar")) return OCI;
        if (d.matches(".*\\.(sqfs|squash|squashfs|squishy)")) return SQUASH;
        if (d.matches(".*\\.(tar|t.z|tar\\..|tar\\...|tar\\.zst|tzst)")) return TAR;
        if (d.startsWith("/") || d.startsWith("./")) {
            if (input && Files.isRegularFile(Path.of(base).resolve("oci-layout"), LinkOption.NOFOLLOW_LINKS)) return OCI;
            return DIR;
        }
        return CH_IMAGE;
    }
}
