package chj.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:e3b0…}. Only SHA-256 is produced; SHA-512 is parsed so
 * that a clear "unsupported algorithm" error can name it.
 */
public record Digest(String algorithm, String hex) {

    private static final Pattern SHA256_HEX = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512_HEX = Pattern.compile("[a-f0-9]{128}");

    public Digest {
        if (algorithm.equals("sha256")) {
            if (!SHA256_HEX.matcher(hex).matches()) throw new IllegalArgumentException("invalid sha256 digest: " + hex);
        } else if (algorithm.equals("sha512")) {
            if (!SHA512_HEX.matcher(hex).matches()) throw new IllegalArgumentException("invalid sha512 digest: " + hex);
        } else {
            throw new IllegalArgumentException("unsupported digest algorithm: " + algorithm);
        }
    }

    /** Parses {@code algorithm:hex}; throws IllegalArgumentException naming the bad text. */
    public static Digest parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) throw new IllegalArgumentException("invalid digest: " + text);
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    /** SHA-256 of the given bytes. */
    public static Digest sha256(byte[] bytes) {
        return ofSha256(newSha256().digest(bytes));
    }

    /** Wraps a finished SHA-256 hash. */
    public static Digest ofSha256(byte[] hash) {
        return new Digest("sha256", HexFormat.of().formatHex(hash));
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    /** A fresh hasher for this digest's algorithm. */
    public MessageDigest newHasher() {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The first 12 hex digits, as Docker abbreviates. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
