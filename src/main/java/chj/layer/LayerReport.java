package chj.layer;

import java.util.function.Consumer;

/**
 * What one layer's unpack did: counts for {@link LayerStats}, and warnings for people, capped per
 * layer so that a hostile tar cannot flood the terminal.
 */
final class LayerReport {

    /** Per-member warnings per layer before the rest are only counted. */
    static final int MAX_MEMBER_WARNINGS = 20;

    private final Consumer<String> warnings;
    long tarBytes, members, files, directories, symlinks, hardlinks, whiteouts, bytes;
    long devicesSkipped, rejected, setidDropped, xattrsApplied, xattrsSkipped;
    private String firstDevice;

    LayerReport(Consumer<String> warnings) {
        this.warnings = warnings;
    }

    void warn(String message) {
        warnings.accept(message);
    }

    void reject(String member, String reason) {
        if (++rejected <= MAX_MEMBER_WARNINGS) warn("layer member '" + printable(member) + "' skipped: " + reason);
    }

    void skipDevice(String rel) {
        if (devicesSkipped++ == 0) firstDevice = rel;
    }

    void xattrs(Xattrs.Outcome o) {
        xattrsApplied += o.applied();
        xattrsSkipped += o.skipped();
    }

    /** The warnings that sum the layer up; call once, at its end. */
    void summarize() {
        if (rejected > MAX_MEMBER_WARNINGS)
            warn((rejected - MAX_MEMBER_WARNINGS) + " more layer members skipped (warnings not shown)");
        if (devicesSkipped > 0)
            warn("skipped " + devicesSkipped + " device file(s) and FIFO(s), e.g. '" + printable(firstDevice)
                    + "': an unprivileged user cannot create them");
    }

    LayerStats stats() {
        return new LayerStats(tarBytes, members, files, directories, symlinks, hardlinks, whiteouts, bytes,
                devicesSkipped, rejected, setidDropped, xattrsApplied, xattrsSkipped);
    }

    /** A member name made safe for a one-line message (a hostile tar may put control characters in names). */
    static String printable(String s) {
        if (s == null) return "";
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (b == null) b = new StringBuilder(s.substring(0, i));
                b.append('?');
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
