package chj.layer;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Base64;
import java.util.Map;

/**
 * Extended attributes from PAX records ({@code SCHILY.xattr.NAME=value}, and libarchive's
 * {@code LIBARCHIVE.xattr.URLNAME=base64}). Only the {@code user.*} namespace is open to an
 * unprivileged user; others (security.capability, trusted.*, security.selinux) are counted and
 * skipped, as are attributes the file system refuses. They never fail an unpack.
 */
final class Xattrs {

    private static final String SCHILY = "SCHILY.xattr.";
    private static final String LIBARCHIVE = "LIBARCHIVE.xattr.";
    private static final String USER = "user.";

    /** Counts of one member's attributes. */
    record Outcome(int applied, int skipped) {
        static final Outcome NONE = new Outcome(0, 0);
    }

    private Xattrs() {}

    static Outcome apply(Path p, Map<String, String> paxHeaders) {
        if (paxHeaders.isEmpty()) return Outcome.NONE;
        int applied = 0, skipped = 0;
        UserDefinedFileAttributeView view = null;
        for (Map.Entry<String, String> h : paxHeaders.entrySet()) {
            String name;
            byte[] value;
            if (h.getKey().startsWith(SCHILY)) {
                name = h.getKey().substring(SCHILY.length());
                // Commons Compress hands PAX values over as UTF-8 text; binary values do not survive that.
                value = h.getValue().getBytes(StandardCharsets.UTF_8);
            } else if (h.getKey().startsWith(LIBARCHIVE)) {
                name = URLDecoder.decode(h.getKey().substring(LIBARCHIVE.length()), StandardCharsets.UTF_8);
                try {
                    value = Base64.getDecoder().decode(h.getValue());
                } catch (IllegalArgumentException e) {
                    skipped++;
                    continue;
                }
            } else {
                continue;
            }
            if (!name.startsWith(USER) || name.length() == USER.length()) {
                skipped++;
                continue;
            }
            try {
                if (view == null) view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
                if (view == null) {
                    skipped++;
                    continue;
                }
                view.write(name.substring(USER.length()), ByteBuffer.wrap(value));
                applied++;
            } catch (IOException | RuntimeException e) {
                skipped++;
            }
        }
        return applied + skipped == 0 ? Outcome.NONE : new Outcome(applied, skipped);
    }
}
