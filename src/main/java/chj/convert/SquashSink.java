package chj.convert;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SquashFS image by mksquashfs, reproducible: the same tree gives the same bytes. Everything is
 * owned by root, xattrs are left out unless --xattrs, the superblock time is zero and (with
 * SOURCE_DATE_EPOCH) every file time is that epoch; file times are otherwise kept, so that tools
 * comparing them (Python's .pyc checks) still work, except the root's, which is zero (it is that of
 * whatever directory held the tree). Missing mount points are added by a pseudo
 * file, so the source is never changed; build-cache files are left out. 64 KiB blocks, as
 * Charliecloud (faster random access for the small files of software stacks).
 */
final class SquashSink extends Sink {

    private static final Pattern VERSION = Pattern.compile("version (\\d+)\\.(\\d+)");

    private final Path out;
    private final Path mksquashfs;
    private final int[] version;

    SquashSink(Path out, Job job) throws ConvertException {
        super(job);
        this.out = out;
        TarSink.checkFileOutput(out, job);
        this.mksquashfs = job.programs().require("mksquashfs", "install squashfs-tools");
        this.version = version();
    }

    /** mksquashfs's major and minor version; options arrived over the years. */
    private int[] version() throws ConvertException {
        Programs.Outcome o = job.programs().run(List.of(mksquashfs.toString(), "-version"));
        Matcher m = VERSION.matcher(o.out() + o.stderr());
        if (!m.find()) return new int[] {4, 0};
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    private boolean atLeast(int major, int minor) {
        return version[0] > major || (version[0] == major && version[1] >= minor);
    }

    @Override
    void write(Tree tree) throws ConvertException {
        Path scratch = job.scratch().newDirectory("squash");
        try (PendingOutput pending = PendingOutput.beside(out, job.log())) {
            job.log().info("packing ...");
            List<String> cmd = new ArrayList<>(List.of(mksquashfs.toString(), tree.root().toString(), pending.path().toString(),
                    "-b", "65536", "-noappend", "-all-root", job.xattrs() ? "-xattrs" : "-no-xattrs"));
            if (atLeast(4, 4)) {
                cmd.addAll(List.of("-mkfs-time", "0"));
                if (job.epoch() != null) cmd.addAll(List.of("-all-time", Long.toString(job.epoch().getEpochSecond())));
                // the root's own time is that of whatever directory the tree sits in (a scratch one, say)
                if (atLeast(4, 5)) cmd.addAll(List.of("-root-time", Long.toString(job.epoch() != null ? job.epoch().getEpochSecond() : 0)));
                if (job.verbose()) cmd.add("-info");
                else cmd.addAll(List.of("-quiet", "-no-progress"));
            }
            Path pseudo = pseudoFile(tree.root(), scratch);
            if (pseudo != null) cmd.addAll(List.of("-pf", pseudo.toString()));
            List<String> exclude = new ArrayList<>();
            for (String e : excluding(tree, pending.path()))
                if (Files.exists(tree.root().resolve(e), java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    exclude.add(tree.root().resolve(e).toString());
            if (!exclude.isEmpty()) {
                cmd.add("-e");
                cmd.addAll(exclude);
            }
            job.programs().check(cmd);
            zeroSuperblockTime(pending.path());
            pending.commit();
        } finally {
            job.scratch().release(scratch);
        }
    }

    /** Mount points as pseudo-file definitions, with fixed times so they do not vary run to run; null when none are missing. */
    private Path pseudoFile(Path root, Path scratch) throws ConvertException {
        MountPoints.Missing missing = MountPoints.missing(root);
        if (missing.isEmpty()) return null;
        boolean timed = atLeast(4, 5);
        long time = job.epoch() != null ? job.epoch().getEpochSecond() : 0;
        StringBuilder b = new StringBuilder();
        for (String d : missing.directories())
            b.append(d).append(timed ? " D " + time + " 755 0 0\n" : " d 755 0 0\n");
        for (String f : missing.files())
            b.append(f).append(timed ? " F " + time + " 644 0 0 true\n" : " f 644 0 0 true\n");
        Path p = scratch.resolve("pseudofiles");
        try {
            Files.writeString(p, b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConvertException("can't write " + p + ": " + e.getMessage());
        }
        return p;
    }

    /** Bytes 8–11 of the superblock hold the creation time; older mksquashfs cannot be told to zero it. */
    private static void zeroSuperblockTime(Path file) throws ConvertException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(8);
            f.write(new byte[4]);
        } catch (IOException e) {
            throw new ConvertException("can't write " + file + ": " + e.getMessage());
        }
    }
}
