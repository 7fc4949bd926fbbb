package chj;

/** The chj version, printed by every command's --version. Keep in step with pom.xml. */
public final class Version {
    public static final String VERSION = "0.1.0";

    private Version() {}
}
