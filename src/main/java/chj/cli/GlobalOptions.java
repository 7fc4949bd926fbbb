package chj.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * ch-image's global options. Charliecloud accepts them before or after the subcommand; picocli's
 * inherited scope gives the same, and the subcommand's copy wins because it is parsed last.
 */
public final class GlobalOptions {

    @Option(names = {"-s", "--storage"}, paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "storage directory (default: $CH_IMAGE_STORAGE, else /var/tmp/$USER.chj)")
    String storage;

    @Option(names = {"-a", "--arch"}, paramLabel = "ARCH", scope = ScopeType.INHERIT,
            description = "architecture: host (default), yolo (whatever the registry gives), or e.g. arm64/v8")
    String arch = "host";

    @Option(names = "--tls-no-verify", scope = ScopeType.INHERIT, description = "don't verify registry certificates (dangerous!)")
    boolean tlsNoVerify;

    @Option(names = "--auth", scope = ScopeType.INHERIT, description = "authenticated registry access (also $CH_IMAGE_AUTH=yes)")
    boolean auth;

    @Option(names = "--always-download", scope = ScopeType.INHERIT, description = "download layers even if already cached")
    boolean alwaysDownload;

    private int verbose;
    private int quiet;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "print extra chatter (repeatable, up to 3)")
    void verbose(boolean[] v) {
        verbose = v.length;
    }

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT, description = "print less output (repeatable, up to 3)")
    void quiet(boolean[] q) {
        quiet = q.length;
    }

    /** -q… negative, -v… positive. */
    int verbosity() {
        return Math.min(3, verbose) - Math.min(3, quiet);
    }
}
