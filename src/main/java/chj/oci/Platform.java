package chj.oci;

import chj.json.JsonTree;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An image platform (image-index.md): GOOS/GOARCH names plus an optional variant. {@code variant},
 * {@code osVersion} are null when absent; {@code osFeatures} is empty when absent.
 */
public record Platform(String os, String architecture, String variant, String osVersion, List<String> osFeatures) {

    /** Host machine names ({@code uname -m}, and the JVM's {@code os.arch}) → registry platform, as Charliecloud's ARCH_MAP. */
    private static final Map<String, String> ARCH_MAP = Map.ofEntries(
            Map.entry("x86_64", "amd64"),
            Map.entry("amd64", "amd64"),
            Map.entry("armv5l", "arm/v5"),
            Map.entry("armv6l", "arm/v6"),
            Map.entry("aarch32", "arm/v7"),
            Map.entry("armv7l", "arm/v7"),
            Map.entry("arm", "arm/v7"),
            Map.entry("aarch64", "arm64/v8"),
            Map.entry("armv8l", "arm64/v8"),
            Map.entry("i386", "386"),
            Map.entry("i686", "386"),
            Map.entry("x86", "386"),
            Map.entry("mips64le", "mips64le"),
            Map.entry("mips64el", "mips64le"),
            Map.entry("ppc64le", "ppc64le"),
            Map.entry("s390x", "s390x"),
            Map.entry("riscv64", "riscv64"));

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public Platform {
        if (os == null || os.isEmpty()) throw new IllegalArgumentException("platform without os");
        if (architecture == null || architecture.isEmpty()) throw new IllegalArgumentException("platform without architecture");
        if (variant != null && variant.isEmpty()) variant = null;
        if (osVersion != null && osVersion.isEmpty()) osVersion = null;
        osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
    }

    public static Platform linux(String architecture, String variant) {
        return new Platform("linux", architecture, variant, null, List.of());
    }

    /**
     * Parses what {@code --arch} takes besides {@code host} and {@code yolo}: {@code ARCH[/VARIANT]},
     * e.g. {@code arm/v7}; the OS is linux.
     */
    public static Platform parse(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length > 2) throw new IllegalArgumentException("invalid architecture: " + text + ": expected ARCH[/VARIANT]");
        for (String p : parts)
            if (!NAME.matcher(p).matches()) throw new IllegalArgumentException("invalid architecture: " + text + ": expected ARCH[/VARIANT]");
        return linux(parts[0], parts.length == 2 ? parts[1] : null);
    }

    /** The platform for a host machine name as {@code uname -m} prints it; unknown names pass through as the architecture. */
    public static Platform fromMachine(String machine) {
        String mapped = ARCH_MAP.get(machine);
        return parse(mapped != null ? mapped : machine);
    }

    /** This host's platform, from the JVM's {@code os.arch} (which is {@code uname -m} or its JDK alias). */
    public static Platform host() {
        return fromMachine(System.getProperty("os.arch"));
    }

    /** The {@code platform} object of a descriptor. */
    static Platform fromJson(JsonNode node, String where) throws OciException {
        String os = Json.requiredString(node, "os", where);
        String arch = Json.requiredString(node, "architecture", where);
        if (os.isEmpty()) throw new OciException(where + ": empty os");
        if (arch.isEmpty()) throw new OciException(where + ": empty architecture");
        List<String> features = Json.strings(node, "os.features", where);
        return new Platform(os, arch, Json.string(node, "variant", where), Json.string(node, "os.version", where), features);
    }

    ObjectNode toJson() {
        ObjectNode o = JsonTree.object();
        o.put("architecture", architecture);
        o.put("os", os);
        if (osVersion != null) o.put("os.version", osVersion);
        if (!osFeatures.isEmpty()) {
            var a = o.putArray("os.features");
            osFeatures.forEach(a::add);
        }
        if (variant != null) o.put("variant", variant);
        return o;
    }

    /** {@code arch[/variant]}, Charliecloud's spelling of a platform (the OS is always linux there). */
    @Override
    public String toString() {
        return variant == null ? architecture : architecture + "/" + variant;
    }
}
