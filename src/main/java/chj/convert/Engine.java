package chj.convert;

import chj.json.JsonTree;
import chj.image.Importer;
import chj.layer.LayerException;
import chj.layer.LayerWriter;
import chj.oci.ImageConfig;
import chj.oci.OciException;
import chj.oci.Platform;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Docker or Podman through their command-line clients, as Charliecloud does it: an image goes out
 * by {@code create} and {@code export} (its environment from {@code inspect}), and comes in by
 * {@code import} with its environment as {@code ENV} changes. Both need a working engine; without
 * one the conversion stops before doing anything, saying why.
 */
final class Engine {

    private final Format format;
    private final Job job;
    private final String client;

    private Engine(Format format, Job job, String client) {
        this.format = format;
        this.job = job;
        this.client = client;
    }

    /**
     * The engine, checked to answer: {@code docker not available: …} when the client is missing
     * or cannot reach its engine (a docker client without a daemon is common on HPC systems).
     */
    static Engine connect(Format format, Job job) throws ConvertException {
        String name = format.label();
        Path client = job.programs().find(name);
        if (client == null)
            throw new ConvertException(name + " not available: " + name + " not found on PATH");
        // the client answers alone; these need the engine (Docker's daemon; Podman's storage and runtime)
        List<String> probe = format == Format.DOCKER ? List.of("version", "--format", "{{.Server.Version}}")
                : List.of("info", "--format", "{{.Host.Arch}}");
        List<String> cmd = new ArrayList<>(List.of(client.toString()));
        cmd.addAll(probe);
        Programs.Outcome o = job.programs().run(cmd);
        if (o.exit() != 0 || o.out().isBlank()) {
            String why = o.stderr().isBlank() ? "'" + name + " " + probe.getFirst() + "' failed with exit status " + o.exit()
                    : o.lastError();
            throw new ConvertException(name + " not available: " + why,
                    "is the " + name + " engine running, and may you use it?");
        }
        return new Engine(format, job, client.toString());
    }

    boolean hasImage(String name) throws ConvertException {
        return job.programs().run(List.of(client, "image", "inspect", "--format", "{{.Id}}", name)).exit() == 0;
    }

    /** An image of the engine, exported to a tarball and unpacked from it. */
    Source.Packed input(String image) throws ConvertException {
        if (!hasImage(image)) throw new ConvertException("source not found in " + format + " storage: " + image);
        return dir -> {
            Path work = job.scratch().newDirectory(format.label());
            try {
                job.log().info("exporting ...");
                String id = job.programs().check(List.of(client, "create", "--read-only", image, "/bin/true")).out().strip();
                Path tar = work.resolve("export.tar");
                try {
                    job.programs().check(List.of(client, "export", "-o", tar.toString(), id));
                } finally {
                    job.programs().run(List.of(client, "rm", id));
                }
                ImageConfig config = config(image);
                job.log().info("unpacking ...");
                try {
                    return new Source.Unpacked(Importer.unpackTarball(tar, dir, job.log()), config);
                } catch (IOException | LayerException e) {
                    throw new ConvertException("can't unpack the export of " + image + ": " + e.getMessage(), null, e);
                }
            } finally {
                job.scratch().release(work);
            }
        };
    }

    /** The image's environment, all of its config ch-run uses. */
    private ImageConfig config(String image) throws ConvertException {
        String json = job.programs().check(List.of(client, "image", "inspect", "--format", "{{json .Config.Env}}", image)).out();
        List<String> env = new ArrayList<>();
        try {
            JsonNode a = JsonTree.read(json);
            if (a != null && a.isArray()) a.forEach(n -> env.add(n.asText()));
            return ImageConfig.builder(Platform.host()).env(env).build();
        } catch (IOException | OciException e) {
            throw new ConvertException(format + " inspect " + image + ": unexpected output: " + e.getMessage());
        }
    }

    /** Imports a tree as image {@code name}: a plain tarball of it, and its environment as ENV changes. */
    void write(Tree tree, String name) throws ConvertException {
        Path work = job.scratch().newDirectory(format.label());
        try {
            Path tar = work.resolve("image.tar");
            job.log().info("exporting ...");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar), 1 << 20)) {
                new LayerWriter(job.log()::warning).exclude(tree.exclude()).clampMtimes(job.epoch()).xattrs(job.xattrs())
                        .writeTree(tree.root(), out);
            } catch (IOException | LayerException e) {
                throw new ConvertException("can't write " + tar + ": " + e.getMessage(), null, e);
            }
            job.log().info("importing ...");
            List<String> cmd = new ArrayList<>(List.of(client, "import"));
            ImageConfig config = tree.config();
            if (config != null)
                for (String e : config.env()) cmd.addAll(List.of("--change", "ENV " + e.replaceFirst("=", " ")));
            cmd.addAll(List.of(tar.toString(), name));
            job.programs().check(cmd);
        } finally {
            job.scratch().release(work);
        }
    }
}
