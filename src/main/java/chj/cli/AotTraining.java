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
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The training run for ch-image's JDK AOT cache (bin/ch-image makes the cache on first use): loads
 * and links what a typical command needs — option parsing of every subcommand, a store, an import
 * through the layer unpacker, the OCI documents, a registry client — in a throw-away directory,
 * without network, and exits normally (the cache is written at exit).
 */
public final class AotTraining {

    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("chj-aot-training");
        PrintStream out = System.out, err = System.err;
        try (PrintStream sink = new PrintStream(OutputStream.nullOutputStream())) {
            System.setOut(sink);
            System.setErr(sink);
            for (String sub : new String[] {"pull", "list", "delete", "import", "reset", "gestalt"})
                ImageMain.execute(new String[] {sub, "--help"});
            ImageMain.execute(new String[] {"-s", dir.resolve("store").toString(), "gestalt", "storage-path"});
            ImageMain.execute(new String[] {"--version"});
            train(dir);
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
}
