package chj.ocirt;

import chj.Log;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Creates the mount points a container needs and its image lacks, as runc does (Buildah commits
 * them, empty, like runc's): ch-run mounts on /dev, /proc, /sys and /tmp and can only make
 * directories for its binds, while Buildah binds files (/etc/hosts, /etc/resolv.conf, ...).
 * Nothing is followed: where a path meets a symlink or a non-directory, it is left to ch-run,
 * which resolves symlinks inside the image.
 */
final class MountPoints {
    private MountPoints() {}

    static void ensure(Path rootfs, List<LaunchPlan.MountPoint> points, Log log) {
        for (LaunchPlan.MountPoint mp : points) ensure(rootfs, mp, log);
    }

    private static void ensure(Path rootfs, LaunchPlan.MountPoint mp, Log log) {
        String[] parts = mp.path().split("/");
        Path at = rootfs;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                log.debug("mount point " + mp.path() + " has '..': left to ch-run");
                return;
            }
            at = at.resolve(part);
            boolean last = lastPart(parts, i);
            BasicFileAttributes a = attributes(at);
            if (a == null) {
                try {
                    if (last && !mp.directory()) Files.createFile(at);
                    else Files.createDirectory(at);
                    log.debug("made mount point " + rootfs.relativize(at) + " in the image, as runc does");
                } catch (FileAlreadyExistsException e) {
                    // a concurrent maker: fine, look again below
                } catch (IOException e) {
                    log.warning("can't make mount point " + mp.path() + " in the image: " + e);
                    return;
                }
                a = attributes(at);
                if (a == null) return;
            }
            if (a.isSymbolicLink()) {
                log.debug("mount point " + mp.path() + " goes through a symlink: left to ch-run");
                return;
            }
            if (!last && !a.isDirectory()) return;   // ch-run reports what is wrong
        }
    }

    private static boolean lastPart(String[] parts, int i) {
        for (int j = i + 1; j < parts.length; j++) if (!parts[j].isEmpty() && !parts[j].equals(".")) return false;
        return true;
    }

    private static BasicFileAttributes attributes(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }
}
