package chj.convert;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A SquashFS image, unpacked with unsquashfs under umask 0 (it applies the umask to files), then
 * every directory made u+rwx so the user can manage the tree.
 */
final class SquashInput implements Source.Packed {

    private final Path file;
    private final Job job;
    private final Path unsquashfs;

    SquashInput(Path file, Job job) throws ConvertException {
        if (!Files.exists(file)) throw new ConvertException("not found: " + file);
        this.file = file;
        this.job = job;
        this.unsquashfs = job.programs().require("unsquashfs", "install squashfs-tools");
    }

    @Override
    public Source.Unpacked unpackInto(Path dir) throws ConvertException {
        job.log().info("unpacking ...");
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "umask 0000 && exec \"$@\"", "unsquashfs",
                unsquashfs.toString(), "-no-progress", "-quiet", "-force", "-dest", dir.toString()));
        cmd.add(job.xattrs() ? "-user-xattrs" : "-no-xattrs");
        cmd.add(file.toAbsolutePath().toString());
        job.programs().check("unsquashfs", cmd);
        try {
            FileTrees.makeManageable(dir);
        } catch (IOException e) {
            throw new ConvertException("can't fix permissions in " + dir + ": " + e.getMessage());
        }
        return new Source.Unpacked(dir, null);
    }
}
