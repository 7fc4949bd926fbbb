package chj.layer;

import chj.oci.Digest;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Passes bytes on while counting them and computing their SHA-256: the DiffID of a tar as it is
 * written, or the digest of a blob as it goes to disk or to a registry. Closing closes the target.
 */
public final class DigestingOutputStream extends FilterOutputStream {

    private final MessageDigest sha256 = Digest.newSha256();
    private long count;
    private Digest digest;

    public DigestingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        checkOpen();
        out.write(b);
        sha256.update((byte) b);
        count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        checkOpen();
        out.write(b, off, len);
        sha256.update(b, off, len);
        count += len;
    }

    private void checkOpen() {
        if (digest != null) throw new IllegalStateException("write after digest()");
    }

    /** Bytes written so far. */
    public long count() {
        return count;
    }

    /** SHA-256 of everything written; no more bytes may be written after the first call. */
    public Digest digest() {
        if (digest == null) digest = Digest.ofSha256(sha256.digest());
        return digest;
    }
}
