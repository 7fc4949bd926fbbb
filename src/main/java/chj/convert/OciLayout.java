package chj.convert;

import chj.oci.Descriptor;
import chj.oci.Digest;
import chj.oci.ImageIndex;
import chj.oci.ManifestDocument;
import chj.oci.OciException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An OCI image layout directory (image-layout.md) as input: {@code oci-layout}, {@code index.json}
 * and content-addressed {@code blobs/ALG/HEX}. Blobs are hostile until verified: every blob read
 * whole is checked against its descriptor's size and digest here; layer streams are checked by
 * the reader as it goes.
 */
final class OciLayout {

    static final String LAYOUT_FILE = "oci-layout";
    static final String INDEX = "index.json";
    static final String REF_NAME = "org.opencontainers.image.ref.name";
    /** Manifests, indexes and configs are small; a bigger one is a mistake or an attack. */
    private static final long SMALL_LIMIT = 32 << 20;

    private final Path dir;
    private final String where;

    private OciLayout(Path dir, String where) {
        this.dir = dir;
        this.where = where;
    }

    /**
     * The layout in {@code dir}; {@code where} names it in messages (the archive it came from, say).
     */
    static OciLayout open(Path dir, String where) throws ConvertException {
        if (!Files.isRegularFile(dir.resolve(LAYOUT_FILE), LinkOption.NOFOLLOW_LINKS))
            throw new ConvertException("not an OCI image layout: " + where + " (no " + LAYOUT_FILE + " file)");
        return new OciLayout(dir, where);
    }

    /** index.json. */
    ImageIndex index() throws ConvertException {
        Path p = dir.resolve(INDEX);
        byte[] bytes = readLimited(p, "index.json");
        try {
            if (ManifestDocument.parse(bytes) instanceof ImageIndex index) return index;
        } catch (OciException e) {
            throw new ConvertException(where + ": index.json: " + e.getMessage());
        }
        throw new ConvertException(where + ": index.json is not an image index");
    }

    /**
     * The index entry to convert: the one whose ref.name is {@code tag}; without a tag, the only
     * entry, else the one named {@code latest}.
     */
    Descriptor select(ImageIndex index, String tag) throws ConvertException {
        List<Descriptor> entries = index.manifests();
        List<String> names = new ArrayList<>();
        for (Descriptor d : entries) {
            String name = d.annotations().get(REF_NAME);
            if (name != null) names.add(name);
            if (tag != null && tag.equals(name)) return d;
        }
        String known = names.isEmpty() ? "none" : String.join(", ", names);
        if (tag != null) throw new ConvertException("no image tagged " + tag + " in " + where, "tags there: " + known);
        if (entries.size() == 1) return entries.getFirst();
        if (entries.isEmpty()) throw new ConvertException(where + ": index.json lists no images");
        for (Descriptor d : entries) if ("latest".equals(d.annotations().get(REF_NAME))) return d;
        throw new ConvertException(where + " holds " + entries.size() + " images; say which with PATH:TAG", "tags there: " + known);
    }

    /** The file of a blob, which must be a regular file of the descriptor's size. */
    Path blob(Descriptor d) throws ConvertException {
        Digest digest = d.digest();
        Path p = dir.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
        try {
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                throw new ConvertException(where + ": blob " + digest + " is missing");
            long size = Files.size(p);
            if (size != d.size())
                throw new ConvertException(where + ": blob " + digest + " has " + size + " bytes, its descriptor says " + d.size());
        } catch (IOException e) {
            throw new ConvertException(where + ": can't read blob " + digest + ": " + e.getMessage());
        }
        return p;
    }

    /** A small blob (manifest, config), verified against its digest. */
    byte[] readSmall(Descriptor d, String what) throws ConvertException {
        byte[] bytes = readLimited(blob(d), what);
        Digest actual;
        try {
            actual = new Digest(d.digest().algorithm(), java.util.HexFormat.of().formatHex(d.digest().newHasher().digest(bytes)));
        } catch (IllegalArgumentException e) {
            throw new ConvertException(where + ": " + e.getMessage());
        }
        if (!actual.equals(d.digest()))
            throw new ConvertException(where + ": " + what + " " + d.digest() + " is corrupt: its content hashes to " + actual);
        return bytes;
    }

    private byte[] readLimited(Path p, String what) throws ConvertException {
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes((int) SMALL_LIMIT + 1);
            if (bytes.length > SMALL_LIMIT) throw new ConvertException(where + ": " + what + " is too large (over 32 MiB)");
            return bytes;
        } catch (NoSuchFileException e) {
            throw new ConvertException(where + ": " + what + " is missing");
        } catch (IOException e) {
            throw new ConvertException(where + ": can't read " + what + ": " + e.getMessage());
        }
    }
}
