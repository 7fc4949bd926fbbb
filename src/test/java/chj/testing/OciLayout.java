package chj.testing;

import chj.oci.Digest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a minimal OCI image layout (oci-layout, index.json, blobs) from TarBuilder layers, for
 * tools that read layouts: {@code umoci unpack --image DIR:TAG}, {@code skopeo copy oci:DIR:TAG
 * docker://…}. Layers are stored gzip-compressed; the config lists their DiffIDs.
 */
public final class OciLayout {

    private OciLayout() {}

    /** Writes the layout to {@code dir} (created) with one image tagged {@code tag}; returns the manifest digest. */
    public static Digest write(Path dir, String tag, List<TarBuilder> layers) throws IOException {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        List<String> layerDescriptors = new ArrayList<>(), diffIds = new ArrayList<>();
        for (TarBuilder layer : layers) {
            byte[] tar = layer.bytes();
            byte[] gz = TarBuilder.gzip(tar);
            diffIds.add("\"" + Digest.sha256(tar) + "\"");
            layerDescriptors.add(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", blob(dir, gz), gz.length));
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + String.join(",", diffIds) + "]}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":" + descriptor("application/vnd.oci.image.config.v1+json", blob(dir, config), config.length)
                + ",\"layers\":[" + String.join(",", layerDescriptors) + "]}").getBytes(StandardCharsets.UTF_8);
        Digest manifestDigest = blob(dir, manifest);
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{"
                + "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + manifestDigest
                + "\",\"size\":" + manifest.length + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + tag + "\"}}]}");
        return manifestDigest;
    }

    private static Digest blob(Path dir, byte[] content) throws IOException {
        Digest d = Digest.sha256(content);
        Files.write(dir.resolve("blobs/sha256").resolve(d.hex()), content);
        return d;
    }

    private static String descriptor(String mediaType, Digest digest, long size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
    }
}
