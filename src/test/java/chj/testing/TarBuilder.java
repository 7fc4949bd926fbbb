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
 * last. {@link TarFormatWriter} writes each flavour as real tools write it: v7, ustar, GNU, PAX.
 * {@link #raw} adds a member whose header Commons Compress writes.
 * The archive ends with two zero blocks (Go style) unless {@link #recordSize} asks for more padding.
 */
public final class TarBuilder {

    public enum Format { V7, USTAR, GNU, PAX }

    private static final int BLOCK = 512;

    /** One member as the builder holds it until it is written. */
    static final class Member {
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
        TarFormatWriter writer = new TarFormatWriter(format);
        for (Member m : members) writer.write(out, m);
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
}
