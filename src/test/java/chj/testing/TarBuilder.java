package chj.testing;

import com.github.luben.zstd.Zstd;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Builds tar layers in memory, byte for byte, for tests and for crafted test images:
 *
 * <pre>{@code
 * byte[] layer = new TarBuilder(TarBuilder.Format.PAX)
 *         .dir("etc").file("etc/motd", "hi\n").mtime(1_600_000_000).xattr("user.k", "v")
 *         .symlink("etc/link", "/etc/motd").whiteout("etc/old").opaque("var/cache")
 *         .gzip();
 * }</pre>
 *
 * Modifiers ({@link #mtime}, {@link #owner}, {@link #xattr}, {@link #type}…) change the member added
 * last. Headers are written here rather than by Commons Compress so that each flavour is exactly
 * what real tools write: v7 (no magic), ustar (long names split into prefix and name), GNU (old
 * GNU magic, {@code ././@LongLink} records, base-256 numbers) and PAX ({@code x} records only where
 * needed, as Go's archive/tar writes them). {@link #raw} adds a member built with Commons Compress.
 * The archive ends with two zero blocks (Go style) unless {@link #recordSize} asks for more padding.
 */
public final class TarBuilder {

    public enum Format { V7, USTAR, GNU, PAX }

    private static final int BLOCK = 512;
    private static final byte[] GNU_MAGIC = {'u', 's', 't', 'a', 'r', ' ', ' ', 0};
    private static final byte[] USTAR_MAGIC = {'u', 's', 't', 'a', 'r', 0, '0', '0'};

    private static final class Member {
        String name;
        byte type;
        int mode;
        long uid, gid;
        String uname = "", gname = "";
        long mtime;
        int mtimeNanos;
        String linkName = "";
        int devMajor, devMinor;
        byte[] data = new byte[0];
        final Map<String, String> pax = new LinkedHashMap<>();
        TarArchiveEntry raw;
    }

    private final Format format;
    private final List<Member> members = new ArrayList<>();
    private long defaultMtime = 1_700_000_000L;
    private int recordSize = 2 * BLOCK;

    /** A PAX builder (what Docker, BuildKit, containerd and umoci write). */
    public TarBuilder() {
        this(Format.PAX);
    }

    public TarBuilder(Format format) {
        this.format = format;
    }

    public Format format() {
        return format;
    }

    // --- members ---------------------------------------------------------------------------

    public TarBuilder file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    public TarBuilder file(String name, String content, int mode) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), mode);
    }

    public TarBuilder file(String name, byte[] content) {
        return file(name, content, 0644);
    }

    public TarBuilder file(String name, byte[] content, int mode) {
        Member m = add(name, format == Format.V7 ? (byte) 0 : (byte) '0', mode);
        m.data = content.clone();
        return this;
    }

    /** A directory; its name gets a trailing slash, as every tar writer gives it. */
    public TarBuilder dir(String name) {
        return dir(name, 0755);
    }

    public TarBuilder dir(String name, int mode) {
        add(name.endsWith("/") ? name : name + "/", (byte) '5', mode);
        return this;
    }

    public TarBuilder symlink(String name, String target) {
        add(name, (byte) '2', 0777).linkName = target;
        return this;
    }

    public TarBuilder hardlink(String name, String target) {
        add(name, (byte) '1', 0644).linkName = target;
        return this;
    }

    /** {@code dir/.wh.name}: hides {@code path} of the lower layers. */
    public TarBuilder whiteout(String path) {
        int slash = path.lastIndexOf('/');
        return file(path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1), new byte[0], 0644);
    }

    /** {@code dir/.wh..wh..opq}: hides all lower-layer content of {@code dir} ("" for the root). */
    public TarBuilder opaque(String dir) {
        return file(dir.isEmpty() || dir.endsWith("/") ? dir + ".wh..wh..opq" : dir + "/.wh..wh..opq", new byte[0], 0644);
    }

    /** A character device (1, 3: /dev/null). */
    public TarBuilder device(String name) {
        Member m = add(name, (byte) '3', 0666);
        m.devMajor = 1;
        m.devMinor = 3;
        return this;
    }

    public TarBuilder blockDevice(String name) {
        Member m = add(name, (byte) '4', 0660);
        m.devMajor = 8;
        return this;
    }

    public TarBuilder fifo(String name) {
        add(name, (byte) '6', 0644);
        return this;
    }

    /** A member whose header Commons Compress writes from {@code entry}, followed by {@code data} as is. */
    public TarBuilder raw(TarArchiveEntry entry, byte[] data) {
        Member m = new Member();
        m.raw = entry;
        m.data = data.clone();
        members.add(m);
        return this;
    }

    private Member add(String name, byte type, int mode) {
        Member m = new Member();
        m.name = name;
        m.type = type;
        m.mode = mode;
        m.mtime = defaultMtime;
        members.add(m);
        return m;
    }

    // --- modifiers of the last member ----------------------------------------------------------

    public TarBuilder mtime(long epochSeconds) {
        last().mtime = epochSeconds;
        return this;
    }

    /** A sub-second mtime; only PAX can say it. */
    public TarBuilder mtime(long epochSeconds, int nanos) {
        requirePax("a sub-second mtime");
        last().mtime = epochSeconds;
        last().mtimeNanos = nanos;
        return this;
    }

    /** The mtime of members added from now on (default 1700000000). */
    public TarBuilder defaultMtime(long epochSeconds) {
        defaultMtime = epochSeconds;
        return this;
    }

    public TarBuilder mode(int mode) {
        last().mode = mode;
        return this;
    }

    public TarBuilder owner(long uid, long gid) {
        last().uid = uid;
        last().gid = gid;
        return this;
    }

    public TarBuilder ownerNames(String uname, String gname) {
        last().uname = uname;
        last().gname = gname;
        return this;
    }

    /** Overrides the type flag, e.g. '7' (contiguous) or 0 (v7's regular file). */
    public TarBuilder type(char typeflag) {
        last().type = (byte) typeflag;
        return this;
    }

    /** {@code SCHILY.xattr.name=value}, as Go writes extended attributes (PAX only). */
    public TarBuilder xattr(String name, String value) {
        return paxRecord("SCHILY.xattr." + name, value);
    }

    /** Any PAX record for the last member (PAX only). */
    public TarBuilder paxRecord(String key, String value) {
        requirePax("PAX record " + key);
        last().pax.put(key, value);
        return this;
    }

    private Member last() {
        if (members.isEmpty() || members.getLast().raw != null)
            throw new IllegalStateException("no member to modify");
        return members.getLast();
    }

    private void requirePax(String what) {
        if (format != Format.PAX) throw new IllegalStateException(format + " tar cannot hold " + what);
    }

    // --- output ----------------------------------------------------------------------------

    /** Pads the archive after its end blocks to a multiple of this many bytes (GNU tar: 10240). */
    public TarBuilder recordSize(int bytes) {
        if (bytes % BLOCK != 0 || bytes < 2 * BLOCK) throw new IllegalArgumentException("record size " + bytes);
        recordSize = bytes;
        return this;
    }

    /** The uncompressed tar (the bytes a DiffID covers). */
    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Member m : members) writeMember(out, m);
        out.writeBytes(new byte[2 * BLOCK]);
        int rest = out.size() % recordSize;
        if (rest != 0) out.writeBytes(new byte[recordSize - rest]);
        return out.toByteArray();
    }

    public InputStream stream() {
        return new ByteArrayInputStream(bytes());
    }

    public byte[] gzip() {
        return gzip(bytes());
    }

    public byte[] zstd() {
        return Zstd.compress(bytes(), 3);
    }

    /** gzip of any bytes, one member. */
    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    // --- header writing --------------------------------------------------------------------

    private void writeMember(ByteArrayOutputStream out, Member m) {
        if (m.raw != null) {
            byte[] header = new byte[BLOCK];
            m.raw.writeEntryHeader(header);
            out.writeBytes(header);
            writeData(out, m.data);
            return;
        }
        byte[] name = utf8(m.name);
        byte[] link = utf8(m.linkName);
        byte[] prefix = new byte[0];
        Map<String, String> pax = new LinkedHashMap<>();
        switch (format) {
            case V7 -> {
                if (name.length > 100 || link.length > 100) throw new IllegalArgumentException("v7 names are at most 100 bytes: " + m.name);
            }
            case USTAR -> {
                if (name.length > 100) {
                    int split = splitForUstar(name);
                    if (split < 0) throw new IllegalArgumentException("ustar cannot hold the name " + m.name);
                    prefix = java.util.Arrays.copyOfRange(name, 0, split);
                    name = java.util.Arrays.copyOfRange(name, split + 1, name.length);
                }
                if (link.length > 100) throw new IllegalArgumentException("ustar link targets are at most 100 bytes: " + m.linkName);
            }
            case GNU -> {
                if (link.length > 100) writeGnuLong(out, (byte) 'K', link);
                if (name.length > 100) writeGnuLong(out, (byte) 'L', name);
                name = java.util.Arrays.copyOf(name, Math.min(name.length, 100));
                link = java.util.Arrays.copyOf(link, Math.min(link.length, 100));
            }
            case PAX -> {
                if (name.length > 100 || !isAscii(m.name)) pax.put("path", m.name);
                if (link.length > 100 || !isAscii(m.linkName)) pax.put("linkpath", m.linkName);
                if (!fitsOctal(m.uid, 8)) pax.put("uid", Long.toString(m.uid));
                if (!fitsOctal(m.gid, 8)) pax.put("gid", Long.toString(m.gid));
                if (!fitsOctal(m.data.length, 12)) pax.put("size", Long.toString(m.data.length));
                if (m.mtimeNanos != 0 || !fitsOctal(m.mtime, 12))
                    pax.put("mtime", m.mtimeNanos == 0 ? Long.toString(m.mtime) : String.format("%d.%09d", m.mtime, m.mtimeNanos));
                pax.putAll(m.pax);
                if (!pax.isEmpty()) writePax(out, m.name, pax);
                // the records say the long values; the header keeps what fits (readers ignore it)
                name = java.util.Arrays.copyOf(name, Math.min(name.length, 100));
                link = java.util.Arrays.copyOf(link, Math.min(link.length, 100));
            }
        }
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, name);
        numeric(h, 100, 8, m.mode);
        numeric(h, 108, 8, m.uid);
        numeric(h, 116, 8, m.gid);
        numeric(h, 124, 12, m.data.length);
        numeric(h, 136, 12, m.mtime);
        h[156] = m.type;
        put(h, 157, 100, link);
        if (format != Format.V7) {
            System.arraycopy(format == Format.GNU ? GNU_MAGIC : USTAR_MAGIC, 0, h, 257, 8);
            put(h, 265, 32, utf8(m.uname));
            put(h, 297, 32, utf8(m.gname));
            numeric(h, 329, 8, m.devMajor);
            numeric(h, 337, 8, m.devMinor);
            put(h, 345, 155, prefix);
        }
        checksum(h);
        out.writeBytes(h);
        writeData(out, m.data);
    }

    /** Index of the '/' that splits a long name into prefix (≤155) and name (≤100), or -1. */
    private static int splitForUstar(byte[] name) {
        for (int i = Math.min(name.length - 1, 155); i > 0; i--) {
            if (name[i] == '/' && name.length - i - 1 <= 100 && name.length - i - 1 > 0) return i;
        }
        return -1;
    }

    private void writeGnuLong(ByteArrayOutputStream out, byte type, byte[] value) {
        byte[] data = java.util.Arrays.copyOf(value, value.length + 1);
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, utf8("././@LongLink"));
        numeric(h, 100, 8, 0644);
        numeric(h, 108, 8, 0);
        numeric(h, 116, 8, 0);
        numeric(h, 124, 12, data.length);
        numeric(h, 136, 12, 0);
        h[156] = type;
        System.arraycopy(GNU_MAGIC, 0, h, 257, 8);
        checksum(h);
        out.writeBytes(h);
        writeData(out, data);
    }

    private void writePax(ByteArrayOutputStream out, String memberName, Map<String, String> records) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        records.forEach((k, v) -> body.writeBytes(paxRecordBytes(k, v)));
        byte[] data = body.toByteArray();
        String base = memberName.replaceAll("/+$", "");
        base = base.substring(base.lastIndexOf('/') + 1);
        byte[] name = utf8("PaxHeaders.0/" + base);
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, java.util.Arrays.copyOf(name, Math.min(name.length, 100)));
        numeric(h, 100, 8, 0644);
        numeric(h, 108, 8, 0);
        numeric(h, 116, 8, 0);
        numeric(h, 124, 12, data.length);
        numeric(h, 136, 12, 0);
        h[156] = 'x';
        System.arraycopy(USTAR_MAGIC, 0, h, 257, 8);
        checksum(h);
        out.writeBytes(h);
        writeData(out, data);
    }

    /** "LEN key=value\n", where LEN counts the whole record, its own digits included. */
    private static byte[] paxRecordBytes(String key, String value) {
        int payload = utf8(key).length + utf8(value).length + 3; // ' ', '=', '\n'
        int len = payload + 1;
        while (len != payload + Integer.toString(len).length()) len = payload + Integer.toString(len).length();
        return utf8(len + " " + key + "=" + value + "\n");
    }

    private static void writeData(ByteArrayOutputStream out, byte[] data) {
        out.writeBytes(data);
        int rest = data.length % BLOCK;
        if (rest != 0) out.writeBytes(new byte[BLOCK - rest]);
    }

    private static boolean fitsOctal(long value, int width) {
        return value >= 0 && value < (1L << (3 * (width - 1)));
    }

    /** Octal digits and a NUL; base-256 in GNU archives when the value does not fit; 0 in PAX (a record says it). */
    private void numeric(byte[] h, int offset, int width, long value) {
        if (fitsOctal(value, width)) {
            String octal = Long.toOctalString(value);
            String padded = "0".repeat(width - 1 - octal.length()) + octal;
            put(h, offset, width - 1, padded.getBytes(StandardCharsets.US_ASCII));
            h[offset + width - 1] = 0;
        } else if (format == Format.GNU) {
            long v = value;
            for (int i = width - 1; i > 0; i--) {
                h[offset + i] = (byte) v;
                v >>= 8;
            }
            h[offset] = (byte) (value < 0 ? 0xff : 0x80);
        } else if (format == Format.PAX) {
            numeric(h, offset, width, 0);
        } else {
            throw new IllegalArgumentException(format + " tar cannot hold the number " + value);
        }
    }

    private static void checksum(byte[] h) {
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        String octal = String.format("%06o", sum);
        put(h, 148, 6, octal.getBytes(StandardCharsets.US_ASCII));
        h[154] = 0;
        h[155] = ' ';
    }

    private static void put(byte[] h, int offset, int width, byte[] value) {
        if (value.length > width) throw new IllegalArgumentException("field of " + width + " bytes cannot hold " + value.length);
        System.arraycopy(value, 0, h, offset, value.length);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
        return true;
    }
}
