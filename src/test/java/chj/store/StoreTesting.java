package chj.store;

import chj.oci.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the store tests share: publishing a recognisable image the way a pull does. */
@SuppressWarnings("try") // locks and stores held for a block
final class StoreTesting {

    /** Files per test image: a reader checks that it sees all of them, from one version. */
    static final int FILES = 20;

    private StoreTesting() {}

    /**
     * Stages an image whose every file says {@code version}, caches a blob as a pull would (under
     * the blob lock), and publishes it under the image lock.
     */
    static void publishVersion(Storage s, String name, String version) throws StoreException, IOException {
        byte[] shared = "layer shared by every version".getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(shared);
        try (BlobLock l = s.lockBlob(d)) {
            if (!s.blobs().contains(d)) {
                Path part = s.blobs().partPath(d);
                Files.write(part, shared);
                s.blobs().commit(d, part);
            }
        }
        s.blobs().putSmall(("manifest " + version).getBytes(StandardCharsets.UTF_8));
        try (StagingDir staging = s.newStagingDir("pull")) {
            Path img = staging.dir();
            Files.createDirectories(img.resolve("ch"));
            for (int i = 0; i < FILES; i++) Files.writeString(img.resolve("f" + i), version);
            Files.writeString(img.resolve("ch/version"), version);
            try (ImageLock lock = s.lockImage(name)) {
                s.publishImage(lock, img);
            }
        }
    }

    /** The version of a published image, checking that all its files agree; throws if incomplete. */
    static String versionOf(Path imageDir) throws IOException {
        String v = Files.readString(imageDir.resolve("ch/version"));
        for (int i = 0; i < FILES; i++) {
            String f = Files.readString(imageDir.resolve("f" + i), StandardCharsets.UTF_8);
            if (!f.equals(v)) throw new AssertionError(imageDir + ": f" + i + " is " + f + " but ch/version is " + v);
        }
        return v;
    }
}
