package chj.cli;

import chj.Log;
import chj.image.Importer;
import chj.oci.ImageConfig;
import chj.oci.ManifestDocument;
import chj.oci.PlatformSelector;
import chj.oci.Reference;
import chj.registry.CredentialChain;
import chj.registry.RegistryClient;
import chj.registry.RegistryLog;
import chj.registry.RegistryOptions;
import chj.store.Storage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The training run for ch-image's JDK AOT cache (bin/ch-image makes the cache on first use, in the
 * background): loads and links what the commands need (option parsing of every subcommand, a
 * store, an import through the layer unpacker, the OCI documents), then does what they spend their
 * time on, at a size that gets it compiled: pull, build and push against an in-process registry
 * on the loopback address, over HTTP and HTTPS. The cache keeps the classes and the profiles, so
 * a later process starts faster and compiles its hot paths (TLS, SHA-256, inflate, tar, file
 * creation) early. Works in a throw-away directory, never on the network, and exits normally
 * (the cache is written at exit).
 */
public final class AotTraining {

    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("chj-aot-training");
        PrintStream out = System.out, err = System.err;
        // CHJ_AOT_TRAINING_VERBOSE=1 shows what the training commands print: to see that they work
        boolean quiet = !"1".equals(System.getenv("CHJ_AOT_TRAINING_VERBOSE"));
        try (PrintStream sink = new PrintStream(OutputStream.nullOutputStream())) {
            if (quiet) {
                System.setOut(sink);
                System.setErr(sink);
            }
            for (String sub : new String[] {"pull", "list", "delete", "import", "reset", "gestalt"})
                ImageMain.execute(new String[] {sub, "--help"});
            ImageMain.execute(new String[] {"-s", dir.resolve("store").toString(), "gestalt", "storage-path"});
            ImageMain.execute(new String[] {"--version"});
            train(dir);
            List<String> failed = trainRegistryWork(dir.resolve("registry-work"));
            if (!quiet) failed.forEach(f -> err.println("training command failed: ch-image " + f));
        } finally {
            System.setOut(out);
            System.setErr(err);
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void train(Path dir) throws Exception {
        Path tarball = dir.resolve("t.tar.gz");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(Files.newOutputStream(tarball)))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry d = new TarArchiveEntry("top/etc/");
            tar.putArchiveEntry(d);
            tar.closeArchiveEntry();
            byte[] content = "x\n".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry f = new TarArchiveEntry("top/etc/file");
            f.setSize(content.length);
            tar.putArchiveEntry(f);
            tar.write(content);
            tar.closeArchiveEntry();
            TarArchiveEntry l = new TarArchiveEntry("top/etc/link", TarArchiveEntry.LF_SYMLINK);
            l.setLinkName("file");
            tar.putArchiveEntry(l);
            tar.closeArchiveEntry();
        }
        try (Storage store = Storage.open(dir.resolve("store"))) {
            new Importer(store, Log.SILENT).importImage(tarball, Reference.parse("training:1"));
            store.imageNames();
            store.deleteImage(Reference.parse("training:1").storeName());
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"A=b\"],\"Cmd\":[\"sh\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[]}").getBytes(StandardCharsets.UTF_8);
        ImageConfig.parse(config);
        String digest = "sha256:" + "a".repeat(64);
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + digest + "\",\"size\":1,"
                + "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}").getBytes(StandardCharsets.UTF_8);
        if (ManifestDocument.parse(index) instanceof chj.oci.ImageIndex i)
            new PlatformSelector(chj.oci.Platform.linux("amd64", null)).select(i, "amd64");
        RegistryLog rlog = RegistryLog.silent();
        try (RegistryClient client = new RegistryClient(RegistryOptions.builder().fromEnvironment(Map.of())
                .credentials(CredentialChain.standard(Map.of("HOME", dir.toString()), rlog)).log(rlog).build())) {
            client.options();
        }
    }

    /**
     * What most commands spend their time on, at a size that gets it compiled: pulls of a layer of
     * ~1 800 files over HTTP and HTTPS from an in-process registry, builds on it (cold, all cache
     * hits, then a miss after hits, which restores a cached state), and pushes of the result. The
     * cache keeps the profiles, so the next process compiles its hot paths (TLS, SHA-256, inflate,
     * tar, file creation) early.
     */
    static List<String> trainRegistryWork(Path dir) throws Exception {
        Files.createDirectories(dir);
        String s = dir.resolve("store").toString();
        List<String> failed = new ArrayList<>();
        try (TrainingRegistry http = TrainingRegistry.http(dir.resolve("http"))) {
            publishTrainingImage(http);
            String base = http.authority() + "/training:1";
            command(failed, "-s", s, "pull", base);
            String context = trainingContext(dir.resolve("context"), base).toString();
            command(failed, "-s", s, "build", "-t", "built", context);
            command(failed, "-s", s, "build", "-t", "built", context); // every instruction a hit
            Files.writeString(Path.of(context, "late", "changed"), "changed\n"); // a miss after hits: a cached state restored
            command(failed, "-s", s, "build", "-t", "built", context);
            command(failed, "-s", s, "push", "built", http.authority() + "/built:1");
            command(failed, "-s", s, "push", "built", http.authority() + "/built:1"); // all there already
            command(failed, "-s", s, "push", "--flatten", "built", http.authority() + "/flat:1");
        }
        Path keyStore = trainingKey(dir);
        if (keyStore == null) return failed;
        try (TrainingRegistry https = TrainingRegistry.https(dir.resolve("https"), keyStore)) {
            publishTrainingImage(https);
            // Several times: the profiles only build up once a method is past the interpreter, and
            // the first ch-image command trains while it runs itself, on a machine that may be busy.
            for (int i = 0; i < 3; i++)
                command(failed, "-s", s, "pull", "--always-download", "--tls-no-verify", https.authority() + "/training:1",
                        "training-tls");
            command(failed, "-s", s, "push", "--tls-no-verify", "built", https.authority() + "/built:1");
        }
        return failed;
    }

    /** Runs one ch-image command, noting it in {@code failed} if it fails. */
    private static void command(List<String> failed, String... args) {
        if (ImageMain.execute(args) != 0) failed.add(String.join(" ", args));
    }

    /** A layer of small and middling text-like files (as distributions are), its config and manifest. */
    private static void publishTrainingImage(TrainingRegistry registry) throws Exception {
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        java.security.MessageDigest diff = java.security.MessageDigest.getInstance("SHA-256");
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        String[] words = {"the", "container", "image", "layer", "registry", "manifest", "digest", "unprivileged",
                "namespace", "mount", "library", "share", "usr", "doc", "lib", "bin", "etc", "\n", "0x1f", "{}"};
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new java.security.DigestOutputStream(
                new GZIPOutputStream(gz, 1 << 16), diff))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (int d = 0; d < 60; d++) {
                String dirName = "usr/share/training/d" + d + "/";
                tar.putArchiveEntry(new TarArchiveEntry(dirName));
                tar.closeArchiveEntry();
                for (int f = 0; f < 30; f++) {
                    StringBuilder text = new StringBuilder();
                    int size = random.nextInt(3) == 0 ? 20_000 + random.nextInt(180_000) : 200 + random.nextInt(4_000);
                    while (text.length() < size) text.append(words[random.nextInt(words.length)]).append(random.nextInt(3) == 0 ? '\n' : ' ');
                    byte[] content = text.toString().getBytes(StandardCharsets.UTF_8);
                    TarArchiveEntry e = new TarArchiveEntry(dirName + "file-" + f + (f % 7 == 0 ? ".gz" : ".txt"));
                    e.setSize(content.length);
                    e.setMode(f % 5 == 0 ? 0755 : 0644);
                    tar.putArchiveEntry(e);
                    tar.write(content);
                    tar.closeArchiveEntry();
                }
                TarArchiveEntry l = new TarArchiveEntry(dirName + "link", TarArchiveEntry.LF_SYMLINK);
                l.setLinkName("file-1.txt");
                tar.putArchiveEntry(l);
                tar.closeArchiveEntry();
            }
        }
        byte[] layer = gz.toByteArray();
        String layerDigest = TrainingRegistry.sha256(layer);
        String diffId = "sha256:" + java.util.HexFormat.of().formatHex(diff.digest());
        byte[] config = ("{\"architecture\":\"" + chj.oci.Platform.host().architecture() + "\",\"os\":\"linux\","
                + "\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + diffId + "\"]},\"history\":[{\"created_by\":\"training\"}]}").getBytes(StandardCharsets.UTF_8);
        String configDigest = TrainingRegistry.sha256(config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                + "\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        registry.putBlob(layerDigest, layer);
        registry.putBlob(configDigest, config);
        registry.putManifest("training", "1", "application/vnd.oci.image.manifest.v1+json", manifest);
    }

    /** A build context with the instructions a Dockerfile mostly has that need no container (no RUN). */
    private static Path trainingContext(Path context, String base) throws Exception {
        Files.createDirectories(context.resolve("files"));
        for (int i = 0; i < 200; i++)
            Files.writeString(context.resolve("files/f" + i), "file " + i + "\n".repeat(i % 13));
        StringBuilder df = new StringBuilder("FROM " + base + "\n");
        for (int i = 0; i < 8; i++) df.append("ENV E").append(i).append('=').append(i).append('\n');
        Files.createDirectories(context.resolve("late"));
        Files.writeString(context.resolve("late/changed"), "not yet\n");
        df.append("COPY files /files/\nWORKDIR /files\nCOPY late /late/\nLABEL training=yes\nCMD [\"sh\"]\n");
        Files.writeString(context.resolve("Dockerfile"), df.toString());
        return context;
    }

    /**
     * A throw-away key and self-signed certificate for the HTTPS registry, made by the JDK's keytool;
     * null (no HTTPS training) when that fails.
     */
    private static Path trainingKey(Path dir) {
        Path keyStore = dir.resolve("training.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        try {
            Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "training", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "1",
                    "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", TrainingRegistry.PASSWORD,
                    "-keypass", TrainingRegistry.PASSWORD)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 && Files.isRegularFile(keyStore) ? keyStore : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
