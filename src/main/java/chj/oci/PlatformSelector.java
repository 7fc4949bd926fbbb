package chj.oci;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Chooses the image for an {@code --arch} request from an index, with Charliecloud's rules made
 * tolerant of real-world indexes: only {@code linux} entries count, attestation entries are skipped,
 * missing variants are treated as compatible, and spelling differences ({@code aarch64},
 * {@code armhf}, variant {@code 8}) are normalised as containerd does.
 *
 * <p>Order of preference: the exact {@code arch[/variant]}; then an equivalent spelling (arm64 = arm64/v8,
 * amd64 = amd64/v1, arm = arm/v7, the last with a warning as Charliecloud gives); then an entry of the
 * same architecture without a variant; then, when the request has no variant, the only entry of that
 * architecture. If the winning tier has entries with different digests, the request is ambiguous.
 */
public final class PlatformSelector {

    /** The {@code --arch} value that takes whatever the registry offers. */
    public static final String YOLO = "yolo";
    /** The {@code --arch} value that means this machine's platform. */
    public static final String HOST = "host";

    /** The variant an entry without one is taken to have. */
    private static final Map<String, String> BASELINE_VARIANT = Map.of("arm64", "v8", "arm", "v7", "amd64", "v1");

    private final Platform host;

    public PlatformSelector(Platform host) {
        this.host = Objects.requireNonNull(host);
    }

    /** A selector for this machine. */
    public static PlatformSelector forHost() {
        return new PlatformSelector(Platform.host());
    }

    /**
     * The entry chosen and what the user should hear about it. {@code requested} is null for yolo.
     * A chosen entry may itself be an index (nested indexes); select again on that one.
     */
    public record Selection(Descriptor descriptor, Platform requested, List<String> warnings) {
        public Selection {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Chooses an entry for {@code arch}: {@code host}, {@code yolo} or {@code ARCH[/VARIANT]}.
     *
     * @throws OciException when nothing matches (the hint lists the available platforms), when the
     *     request is ambiguous, or when {@code arch} is malformed
     */
    public Selection select(ImageIndex index, String arch) throws OciException {
        if (arch.equals(YOLO)) return yolo(index);
        Platform requested;
        if (arch.equals(HOST)) {
            requested = host;
        } else {
            try {
                requested = Platform.parse(arch);
            } catch (IllegalArgumentException e) {
                throw new OciException(e.getMessage(), "use host, yolo, or ARCH[/VARIANT] such as amd64 or arm/v7");
            }
        }
        return select(index, requested);
    }

    /** Chooses the entry for a platform; see the class comment for the rules. */
    public Selection select(ImageIndex index, Platform requested) throws OciException {
        Platform want = normalise(requested);
        List<Descriptor> linux = new ArrayList<>();
        for (Descriptor d : index.manifests())
            if (d.platform() != null && !d.isAttestation() && d.platform().os().equals("linux")) linux.add(d);

        List<Descriptor> exact = matching(linux, p -> p.architecture().equals(want.architecture())
                && Objects.equals(p.variant(), want.variant()));
        if (!exact.isEmpty()) return choose(exact, requested, List.of());

        List<Descriptor> equivalent = matching(linux, p -> p.architecture().equals(want.architecture())
                && Objects.equals(withBaseline(p), withBaseline(want)));
        if (!equivalent.isEmpty()) {
            List<String> warnings = new ArrayList<>();
            // An arm entry without a variant could be v6 or v7: say so, as Charliecloud does.
            if (want.architecture().equals("arm"))
                warnings.add("arch " + requested + " requested but falling back to " + equivalent.getFirst().platform());
            return choose(equivalent, requested, warnings);
        }

        if (want.variant() != null) {
            List<Descriptor> noVariant = matching(linux, p -> p.architecture().equals(want.architecture()) && p.variant() == null);
            if (!noVariant.isEmpty())
                return choose(noVariant, requested,
                        List.of("arch " + requested + " requested but falling back to " + noVariant.getFirst().platform()));
        } else {
            List<Descriptor> sameArch = matching(linux, p -> p.architecture().equals(want.architecture()));
            if (distinctDigests(sameArch) == 1)
                return choose(sameArch, requested,
                        List.of("arch " + requested + " requested but falling back to " + sameArch.getFirst().platform()));
            if (sameArch.size() > 1)
                throw new OciException("arch " + requested + " is ambiguous in the image index: several variants",
                        "available: " + available(index) + "; choose one with --arch");
        }
        throw new OciException("requested arch unavailable: " + requested, "available: " + available(index));
    }

    private Selection yolo(ImageIndex index) throws OciException {
        for (Descriptor d : index.manifests())
            if (!d.isAttestation()) return new Selection(d, null, List.of());
        throw new OciException("image index lists no images", null);
    }

    private static Selection choose(List<Descriptor> tier, Platform requested, List<String> warnings) throws OciException {
        if (distinctDigests(tier) > 1)
            throw new OciException("manifest list: duplicate architecture: " + tier.getFirst().platform(),
                    "the index lists it " + tier.size() + " times with different digests");
        return new Selection(tier.getFirst(), requested, warnings);
    }

    private static List<Descriptor> matching(List<Descriptor> entries, Predicate<Platform> test) {
        List<Descriptor> out = new ArrayList<>();
        for (Descriptor d : entries)
            if (test.test(normalise(d.platform()))) out.add(d);
        return out;
    }

    private static long distinctDigests(List<Descriptor> entries) {
        return entries.stream().map(Descriptor::digest).distinct().count();
    }

    private static String withBaseline(Platform p) {
        return p.variant() != null ? p.variant() : BASELINE_VARIANT.get(p.architecture());
    }

    /** The platforms an index offers for linux, as {@code arch[/variant]}, sorted; for error hints. */
    public static String available(ImageIndex index) {
        TreeSet<String> names = new TreeSet<>();
        for (Descriptor d : index.manifests())
            if (d.platform() != null && !d.isAttestation() && d.platform().os().equals("linux"))
                names.add(d.platform().toString());
        if (names.isEmpty()) {
            LinkedHashSet<String> others = new LinkedHashSet<>();
            for (Descriptor d : index.manifests())
                if (d.platform() != null && !d.isAttestation()) others.add(d.platform().os() + "/" + d.platform());
            return others.isEmpty() ? "(none)" : "(no linux images; " + String.join(" ", others) + ")";
        }
        return String.join(" ", names);
    }

    /** Spelling normalisation as containerd's platforms package does it. */
    static Platform normalise(Platform p) {
        String arch = p.architecture().toLowerCase();
        String variant = p.variant() == null ? null : p.variant().toLowerCase();
        switch (arch) {
            case "x86_64", "x86-64" -> {
                arch = "amd64";
                variant = null;
            }
            case "i386", "i686", "x86" -> arch = "386";
            case "aarch64" -> arch = "arm64";
            case "armhf" -> {
                arch = "arm";
                variant = "v7";
            }
            case "armel" -> {
                arch = "arm";
                variant = "v6";
            }
            default -> { }
        }
        if (variant != null && variant.matches("[0-9]+(\\.[0-9]+)?") && (arch.equals("arm") || arch.equals("arm64") || arch.equals("amd64")))
            variant = "v" + variant;
        return new Platform(p.os(), arch, variant, p.osVersion(), p.osFeatures());
    }
}
