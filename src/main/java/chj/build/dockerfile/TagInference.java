package chj.build.dockerfile;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The image name {@code ch-image build} uses when there is no {@code -t}, by Charliecloud's rule:
 * {@code Dockerfile.EXT} gives EXT, {@code NAME.dockerfile} or {@code NAME.df} gives NAME, otherwise
 * the context directory's name, or {@code root} for {@code /}; lower-cased and stripped to
 * {@code [a-z0-9_.-]}.
 */
public final class TagInference {

    private TagInference() {}

    /**
     * @param dockerfile the {@code -f} argument as given, or null for {@code CONTEXT/Dockerfile}
     * @param context the context directory as given (relative to the working directory, or absolute)
     * @return the name, or empty when the rule leaves nothing (the user must give {@code -t})
     */
    public static Optional<String> infer(String dockerfile, String context) {
        String file = dockerfile == null ? context + "/Dockerfile" : dockerfile;
        String base = file.substring(file.lastIndexOf('/') + 1);
        String tag;
        int firstDot = base.indexOf('.');
        int lastDot = base.lastIndexOf('.');
        if (firstDot >= 0 && base.substring(0, firstDot).equals("Dockerfile")) {
            tag = base.substring(firstDot + 1);
        } else if (lastDot >= 0 && (base.substring(lastDot + 1).equals("dockerfile") || base.substring(lastDot + 1).equals("df"))) {
            tag = base.substring(0, lastDot);
        } else {
            Path dir = Path.of(context).toAbsolutePath().normalize();
            tag = dir.getFileName() == null ? "root" : dir.getFileName().toString();
        }
        String clean = tag.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]", "");
        return clean.isEmpty() ? Optional.empty() : Optional.of(clean);
    }
}
