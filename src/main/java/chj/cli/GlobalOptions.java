package chj.cli;

import chj.args.ArgSpec;
import chj.build.BuildOptions.CacheMode;

/**
 * ch-image's global options. As in Charliecloud they go before or after the subcommand, and a later
 * copy wins (the subcommand's, when both are given).
 */
final class GlobalOptions {

    String storage;
    String arch = "host";
    boolean tlsNoVerify;
    boolean auth;
    boolean alwaysDownload;
    /** From --cache, --no-cache or --rebuild; null: $CH_IMAGE_CACHE, else enabled. */
    CacheMode cacheMode;
    boolean help;
    boolean version;
    private int verbose;
    private int quiet;

    ArgSpec spec(String command, String summary) {
        return new ArgSpec(command, summary)
                .value("-a, --arch", "ARCH", "architecture: host (default), yolo (whatever the registry gives), or e.g. arm64/v8",
                        v -> arch = v)
                .flag("--always-download", "download layers even if already cached", () -> alwaysDownload = true)
                .flag("--auth", "authenticated registry access (also $CH_IMAGE_AUTH=yes)", () -> auth = true)
                .flag("--cache", "build: use the build cache (the default; $CH_IMAGE_CACHE=enabled)", () -> cacheMode = CacheMode.ENABLED)
                .flag("--no-cache", "build: don't use the build cache ($CH_IMAGE_CACHE=disabled)", () -> cacheMode = CacheMode.DISABLED)
                .flag("--rebuild", "build: run every instruction, recording the results in the cache ($CH_IMAGE_CACHE=rebuild)",
                        () -> cacheMode = CacheMode.REBUILD)
                .flag("-h, --help", "print this help and exit", () -> help = true)
                .flag("-q, --quiet", "print less output (repeatable, up to 3)", () -> quiet++)
                .value("-s, --storage", "DIR", "storage directory (default: $CH_IMAGE_STORAGE, else /var/tmp/$USER.chj)",
                        v -> storage = v)
                .flag("--tls-no-verify", "don't verify registry certificates (dangerous!)", () -> tlsNoVerify = true)
                .flag("-v, --verbose", "print extra chatter (repeatable, up to 3)", () -> verbose++)
                .flag("-V, --version", "print version and exit", () -> version = true);
    }

    /** -q… negative, -v… positive. */
    int verbosity() {
        return Math.min(3, verbose) - Math.min(3, quiet);
    }
}
