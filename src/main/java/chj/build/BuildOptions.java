package chj.build;

import chj.oci.Reference;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to build.
 *
 * @param dockerfileText the Dockerfile's content
 * @param dockerfileName how messages name it (the path given, or {@code -})
 * @param context the context directory, or null for none ({@code CONTEXT} of {@code -})
 * @param tag the image's name
 * @param buildArgs {@code --build-arg} values in order
 * @param binds {@code -b SRC[:DST]} for every RUN
 * @param target {@code --target} stage, or null
 */
public record BuildOptions(String dockerfileText, String dockerfileName, Path context, Reference tag,
                           Map<String, String> buildArgs, List<String> binds, ForceMode force, CacheMode cache,
                           String target) {

    /** Charliecloud's cache modes: use hits, ignore the cache, or run everything but record it. */
    public enum CacheMode { ENABLED, DISABLED, REBUILD }

    public BuildOptions {
        buildArgs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(buildArgs));
        binds = List.copyOf(binds);
    }
}
