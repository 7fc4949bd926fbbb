package chj.testing;

import chj.oci.Digest;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Pushes crafted content straight into a plain-HTTP test registry with raw distribution-API calls
 * (POST + PUT ?digest= for blobs, PUT for manifests), independent of chj's own client, so tests can
 * set up exactly the images they need (odd media types, indexes, broken references, …).
 *
 * <pre>
 *   TestRegistry reg = TestRegistry.local();
 *   String repo = TestRegistry.uniqueRepo("pull");
 *   TestRegistry.Pushed img = reg.pushImage(repo, "latest", List.of(layerTgz), TestRegistry.OCI_LAYER_GZIP, configJson);
 *   reg.ref(repo, "latest")   // "127.0.0.1:5000/pull-1a2b3c:latest"
 * </pre>
 */
public final class TestRegistry {

    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String authority;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /** @param authority host:port of a plain-HTTP registry without authentication */
    public TestRegistry(String authority) {
        this.authority = authority;
    }

    /** The suite's registry (CHJ_TEST_REGISTRY). */
    public static TestRegistry local() {
        return new TestRegistry(TestEnv.registry());
    }

    public String authority() {
        return authority;
    }

    /** A repository name no other test uses, e.g. {@code prefix-3f2a9c1b}. */
    public static String uniqueRepo(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** {@code host:port/repo:tag}, as users write it. */
    public String ref(String repo, String tag) {
        return authority + "/" + repo + ":" + tag;
    }

    /** {@code host:port/repo@digest}. */
    public String ref(String repo, Digest digest) {
        return authority + "/" + repo + "@" + digest;
    }

    /** Uploads a blob (monolithic POST then PUT ?digest=) and returns its digest. */
    public Digest putBlob(String repo, byte[] bytes) {
        Digest d = Digest.sha256(bytes);
        upload(repo, d, HttpRequest.BodyPublishers.ofByteArray(bytes));
        return d;
    }

    /** Uploads a file as a blob, streaming it; returns its digest. */
    public Digest putBlob(String repo, Path file) {
        try {
            Digest d = sha256(file);
            upload(repo, d, HttpRequest.BodyPublishers.ofFile(file));
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void upload(String repo, Digest digest, HttpRequest.BodyPublisher body) {
        HttpResponse<String> post = send(HttpRequest.newBuilder(uri("/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        expect(post, 202, "POST blob upload");
        String location = post.headers().firstValue("Location")
                .orElseThrow(() -> new IllegalStateException("registry sent no upload Location"));
        URI target = uri("/").resolve(location);
        String sep = target.getRawQuery() == null ? "?" : "&";
        URI put = URI.create(target + sep + "digest=" + digest);
        HttpResponse<String> done = send(HttpRequest.newBuilder(put)
                .header("Content-Type", "application/octet-stream").PUT(body).build());
        expect(done, 201, "PUT blob " + digest);
    }

    /** PUTs a manifest or index under a tag (or digest) with the given media type; returns the digest of {@code body}. */
    public Digest putManifest(String repo, String tagOrDigest, String mediaType, byte[] body) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/v2/" + repo + "/manifests/" + tagOrDigest))
                .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        expect(r, 201, "PUT manifest " + repo + ":" + tagOrDigest);
        return Digest.sha256(body);
    }

    /** Deletes a manifest by digest (the suite's registry allows deletes). */
    public void deleteManifest(String repo, Digest digest) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/v2/" + repo + "/manifests/" + digest)).DELETE().build());
        expect(r, 202, "DELETE manifest " + digest);
    }

    /** What {@link #pushImage} pushed. */
    public record Pushed(Digest manifest, byte[] manifestBytes, Digest config, List<Digest> layers) {}

    /**
     * Pushes an image: the layers (already compressed as {@code layerMediaType} says), the config,
     * and an OCI image manifest naming them, tagged {@code tag}.
     */
    public Pushed pushImage(String repo, String tag, List<byte[]> compressedLayers, String layerMediaType, byte[] configJson) {
        List<Map<String, Object>> layers = new ArrayList<>();
        List<Digest> layerDigests = new ArrayList<>();
        for (byte[] layer : compressedLayers) {
            Digest d = putBlob(repo, layer);
            layerDigests.add(d);
            layers.add(descriptor(layerMediaType, d, layer.length));
        }
        Digest config = putBlob(repo, configJson);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        manifest.put("config", descriptor(OCI_CONFIG, config, configJson.length));
        manifest.put("layers", layers);
        byte[] bytes = json(manifest);
        Digest digest = putManifest(repo, tag, OCI_MANIFEST, bytes);
        return new Pushed(digest, bytes, config, layerDigests);
    }

    /** A descriptor map ({@code mediaType}, {@code digest}, {@code size}) for building manifests and indexes. */
    public static Map<String, Object> descriptor(String mediaType, Digest digest, long size) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", digest.toString());
        d.put("size", size);
        return d;
    }

    /** Serialises a JSON document (maps keep their insertion order). */
    public static byte[] json(Object document) {
        try {
            return JSON.writeValueAsBytes(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Digest sha256(Path file) throws IOException {
        MessageDigest md = Digest.newSha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
        return Digest.ofSha256(md.digest());
    }

    private URI uri(String path) {
        return URI.create("http://" + authority + path);
    }

    private HttpResponse<String> send(HttpRequest req) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(req.method() + " " + req.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void expect(HttpResponse<String> r, int status, String what) {
        if (r.statusCode() != status)
            throw new IllegalStateException(what + ": expected " + status + ", got " + r.statusCode() + ": " + r.body());
    }
}
