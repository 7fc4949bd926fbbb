package chj.build;

/**
 * How RUN gets the root it usually expects without privilege: {@code seccomp} (Charliecloud's
 * default) runs as uid 0 in a user namespace with a filter that makes chown, setuid and friends
 * succeed without doing anything; {@code none} runs as uid 0 in the namespace and nothing else.
 * The mode is part of each RUN's cache key ({@code RUN.S} / {@code RUN.N}), as in Charliecloud:
 * the same command may leave a different tree.
 */
public enum ForceMode {
    SECCOMP("S"), NONE("N");

    private final String tag;

    ForceMode(String tag) {
        this.tag = tag;
    }

    /** How the instruction is named in output and cache keys: {@code RUN.S}, {@code RUN.N}. */
    public String runName() {
        return "RUN." + tag;
    }

    public static ForceMode parse(String s) throws BuildException {
        return switch (s == null ? "seccomp" : s) {
            case "seccomp" -> SECCOMP;
            case "none" -> NONE;
            case "fakeroot" -> throw new BuildException("--force=fakeroot is not supported", "use --force=seccomp (the default)");
            default -> throw new BuildException("--force: unknown mode: " + s, "use seccomp or none");
        };
    }
}
