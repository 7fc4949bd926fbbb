package chj.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The smallest registry the AOT training run can pull from and push to, on the loopback address:
 * blob and manifest GET/HEAD, uploads (monolithic, POST+PUT, PATCH chunks), manifest PUT. It trusts
 * everything and checks nothing: it exists so that the training exercises the real client code
 * over HTTP and HTTPS, and for nothing else.
 */
final class TrainingRegistry implements AutoCloseable {

    static final String PASSWORD = "training";

    private final Path dir;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "chj-training-registry");
        t.setDaemon(true);
        return t;
    });

    private TrainingRegistry(Path dir, HttpServer server) throws IOException {
        this.dir = dir;
        this.server = server;
        Files.createDirectories(dir);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    static TrainingRegistry http(Path dir) throws IOException {
        return new TrainingRegistry(dir, HttpServer.create(loopback(), 0));
    }

    /** HTTPS with the key in {@code keyStore} (PKCS12, password {@link #PASSWORD}). */
    static TrainingRegistry https(Path dir, Path keyStore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        HttpsServer s = HttpsServer.create(loopback(), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(tls));
        return new TrainingRegistry(dir, s);
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    String authority() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    void putBlob(String digest, byte[] content) throws IOException {
        Files.write(blob(digest), content);
    }

    void putManifest(String repo, String tag, String mediaType, byte[] body) throws IOException {
        storeManifest(repo, tag, mediaType, body);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private Path blob(String digest) {
        return dir.resolve("blob-" + digest.replace(':', '-'));
    }

    private Path manifest(String repo, String ref) {
        return dir.resolve("manifest-" + repo.replace('/', '_') + "-" + ref.replace(':', '-'));
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            String method = x.getRequestMethod();
            int blobs = path.indexOf("/blobs/");
            int manifests = path.indexOf("/manifests/");
            if (path.equals("/v2/") || path.equals("/v2")) {
                send(x, 200, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
            } else if (blobs > 0 && path.startsWith("/blobs/uploads/", blobs)) {
                upload(x, path.substring(4, blobs), path.substring(blobs + "/blobs/uploads/".length()), method);
            } else if (blobs > 0) {
                sendFile(x, blob(path.substring(blobs + "/blobs/".length())), "application/octet-stream");
            } else if (manifests > 0) {
                String repo = path.substring(4, manifests);
                String ref = path.substring(manifests + "/manifests/".length());
                if (method.equals("PUT")) {
                    String type = x.getRequestHeaders().getFirst("Content-Type");
                    String digest = storeManifest(repo, ref, type, x.getRequestBody().readAllBytes());
                    x.getResponseHeaders().set("Docker-Content-Digest", digest);
                    send(x, 201, null, new byte[0]);
                } else {
                    Path m = manifest(repo, ref);
                    if (Files.isRegularFile(m))
                        x.getResponseHeaders().set("Docker-Content-Digest", sha256(Files.readAllBytes(m)));
                    sendFile(x, m, Files.isRegularFile(m) ? Files.readString(manifest(repo, ref + ".type")) : null);
                }
            } else {
                send(x, 404, "application/json", error("NAME_UNKNOWN"));
            }
        }
    }

    /** POST starts (or with ?digest= completes) an upload; PATCH appends; PUT ?digest= appends and commits. */
    private void upload(HttpExchange x, String repo, String session, String method) throws IOException {
        String digest = queryDigest(x);
        if (method.equals("POST")) {
            Path data = dir.resolve("upload-" + UUID.randomUUID());
            try (InputStream in = x.getRequestBody()) {
                Files.copy(in, data);
            }
            if (digest != null) {
                commit(x, repo, data, digest);
                return;
            }
            x.getResponseHeaders().set("Location", "/v2/" + repo + "/blobs/uploads/" + data.getFileName());
            x.getResponseHeaders().set("Range", "0-0");
            send(x, 202, null, new byte[0]);
            return;
        }
        Path data = dir.resolve(session);
        if (!session.startsWith("upload-") || !Files.isRegularFile(data)) {
            send(x, 404, "application/json", error("BLOB_UPLOAD_UNKNOWN"));
            return;
        }
        try (InputStream in = x.getRequestBody(); OutputStream out = Files.newOutputStream(data, StandardOpenOption.APPEND)) {
            in.transferTo(out);
        }
        if (method.equals("PUT") && digest != null) {
            commit(x, repo, data, digest);
        } else {
            long size = Files.size(data);
            x.getResponseHeaders().set("Location", "/v2/" + repo + "/blobs/uploads/" + session);
            x.getResponseHeaders().set("Range", "0-" + Math.max(0, size - 1));
            send(x, 202, null, new byte[0]);
        }
    }

    /** Makes an upload's data the blob {@code digest} and answers 201. */
    private void commit(HttpExchange x, String repo, Path data, String digest) throws IOException {
        Files.move(data, blob(digest), StandardCopyOption.REPLACE_EXISTING);
        x.getResponseHeaders().set("Docker-Content-Digest", digest);
        x.getResponseHeaders().set("Location", "/v2/" + repo + "/blobs/" + digest);
        send(x, 201, null, new byte[0]);
    }

    private String storeManifest(String repo, String ref, String mediaType, byte[] body) throws IOException {
        String type = mediaType == null ? "application/vnd.oci.image.manifest.v1+json" : mediaType;
        String digest = sha256(body);
        for (String name : new String[] {ref, digest}) {
            Files.write(manifest(repo, name), body);
            Files.writeString(manifest(repo, name + ".type"), type);
        }
        return digest;
    }

    private static String queryDigest(HttpExchange x) {
        String q = x.getRequestURI().getQuery();
        if (q == null) return null;
        for (String kv : q.split("&"))
            if (kv.startsWith("digest=")) return kv.substring("digest=".length());
        return null;
    }

    private static void sendFile(HttpExchange x, Path file, String type) throws IOException {
        if (!Files.isRegularFile(file)) {
            send(x, 404, "application/json", error("BLOB_UNKNOWN"));
            return;
        }
        if (type != null) x.getResponseHeaders().set("Content-Type", type);
        long size = Files.size(file);
        if (x.getRequestMethod().equals("HEAD")) {
            x.getResponseHeaders().set("Content-Length", Long.toString(size));
            x.sendResponseHeaders(200, -1);
            return;
        }
        x.sendResponseHeaders(200, size);
        try (OutputStream out = x.getResponseBody()) {
            Files.copy(file, out);
        }
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        if (type != null) x.getResponseHeaders().set("Content-Type", type);
        boolean empty = body.length == 0 || x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, empty ? -1 : body.length);
        if (!empty) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static byte[] error(String code) {
        return ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"not here\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    static String sha256(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
