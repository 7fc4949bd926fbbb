package chj.convert;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The directories and files ch-run mounts onto, which ch-convert adds to directory and SquashFS
 * images that lack them: Charliecloud's list, plus {@code sys} and {@code tmp}, which chj's ch-run
 * binds as ch-image's images have them. Nothing is added where anything already is, not
 * even a dangling symlink: it resolves inside the container, not here. Below a symlinked
 * {@code mnt} or {@code etc} nothing is added either.
 */
final class MountPoints {

    static final List<String> DIRECTORIES = List.of("bin", "dev", "etc", "mnt", "proc", "sys", "tmp", "usr",
            "mnt/0", "mnt/1", "mnt/2", "mnt/3", "mnt/4", "mnt/5", "mnt/6", "mnt/7", "mnt/8", "mnt/9");
    static final List<String> FILES = List.of("etc/hosts", "etc/resolv.conf");

    private MountPoints() {}

    /** What is missing from the image at {@code root}, directories first, parents before children. */
    static Missing missing(Path root) {
        List<String> dirs = new ArrayList<>(), files = new ArrayList<>();
        for (String d : DIRECTORIES) if (absent(root, d, dirs)) dirs.add(d);
        for (String f : FILES) if (absent(root, f, dirs)) files.add(f);
        return new Missing(dirs, files);
    }

    /** Creates what is missing, empty. */
    static void add(Path root) throws IOException {
        Missing m = missing(root);
        for (String d : m.directories()) Files.createDirectory(root.resolve(d));
        for (String f : m.files()) Files.createFile(root.resolve(f));
    }

    record Missing(List<String> directories, List<String> files) {
        boolean isEmpty() {
            return directories.isEmpty() && files.isEmpty();
        }
    }

    /** Nothing at {@code rel}, and its parent is a real directory (or one about to be made). */
    private static boolean absent(Path root, String rel, List<String> madeDirs) {
        if (Files.exists(root.resolve(rel), LinkOption.NOFOLLOW_LINKS)) return false;
        int slash = rel.lastIndexOf('/');
        if (slash < 0) return true;
        String parent = rel.substring(0, slash);
        return madeDirs.contains(parent) || Files.isDirectory(root.resolve(parent), LinkOption.NOFOLLOW_LINKS);
    }
}
