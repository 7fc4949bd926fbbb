package chj.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes TarBuilder members byte for byte in one tar flavour, the way real tools write it (and
 * not by Commons Compress, whose writer has no ustar prefix and no old-GNU magic):
 * <ul>
 *   <li>v7: no magic, names and link targets of at most 100 bytes;</li>
 *   <li>ustar: long names split into prefix (155) and name (100);</li>
 *   <li>GNU: old-GNU magic, {@code ././@LongLink} records for long names and targets, base-256
 *       numbers where octal does not fit;</li>
 *   <li>PAX: {@code x} records only where needed, as Go's archive/tar writes them (Docker,
 *       BuildKit, containerd, umoci).</li>
 * </ul>
 */
final class TarFormatWriter {

    private static final int BLOCK = 512;
    private static final byte[] GNU_MAGIC = {'u', 's', 't', 'a', 'r', ' ', ' ', 0};
    private static final byte[] USTAR_MAGIC = {'u', 's', 't', 'a', 'r', 0, '0', '0'};

    private final TarBuilder.Format format;

    TarFormatWriter(TarBuilder.Format format) {
        this.format = format;
    }

    // --- header writing --------------------------------------------------------------------

    /** Writes a member: any long-name or PAX records, its header, its data padded to a block. */
    void write(ByteArrayOutputStream out, TarBuilder.Member m) {
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
                    prefix = Arrays.copyOfRange(name, 0, split);
                    name = Arrays.copyOfRange(name, split + 1, name.length);
                }
                if (link.length > 100) throw new IllegalArgumentException("ustar link targets are at most 100 bytes: " + m.linkName);
            }
            case GNU -> {
                if (link.length > 100) writeGnuLong(out, (byte) 'K', link);
                if (name.length > 100) writeGnuLong(out, (byte) 'L', name);
                name = Arrays.copyOf(name, Math.min(name.length, 100));
                link = Arrays.copyOf(link, Math.min(link.length, 100));
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
                name = Arrays.copyOf(name, Math.min(name.length, 100));
                link = Arrays.copyOf(link, Math.min(link.length, 100));
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
        if (format != TarBuilder.Format.V7) {
            System.arraycopy(format == TarBuilder.Format.GNU ? GNU_MAGIC : USTAR_MAGIC, 0, h, 257, 8);
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
        byte[] data = Arrays.copyOf(value, value.length + 1);
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
        put(h, 0, 100, Arrays.copyOf(name, Math.min(name.length, 100)));
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
        } else if (format == TarBuilder.Format.GNU) {
            long v = value;
            for (int i = width - 1; i > 0; i--) {
                h[offset + i] = (byte) v;
                v >>= 8;
            }
            h[offset] = (byte) (value < 0 ? 0xff : 0x80);
        } else if (format == TarBuilder.Format.PAX) {
            numeric(h, offset, width, 0);
        } else {
            throw new IllegalArgumentException(format + " tar cannot hold the number " + value);
        }
    }

    private static void checksum(byte[] h) {
        Arrays.fill(h, 148, 156, (byte) ' ');
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
