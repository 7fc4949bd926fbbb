package chj.run;

import chj.run.sys.ErrnoException;
import chj.run.sys.Linux;
import chj.run.sys.Sys;

import static chj.run.sys.Linux.MS_NODEV;
import static chj.run.sys.Linux.MS_NOSUID;

/**
 * --feature=FEAT: exit 0 if FEAT works here. overlayfs and tmpfs-xattrs are probed for real in
 * this process's private mount namespace (the kernel decides, not a build flag); a missing one
 * exits 1 as Charliecloud does, a missing squash 31.
 */
final class Features {
    private Features() {}

    private static final String[] PROBE_DIRS = {"/srv", "/mnt", "/media", "/opt", "/var/tmp"};

    static int check(String feature, Environment env) throws RunException {
        return switch (feature) {
            case "extglob", "seccomp" -> 0;
            case "squash" -> Squash.fuseProgram(env) != null ? 0 : RunException.EXIT_MISC;
            case "overlayfs" -> overlayfs() ? 0 : 1;
            case "tmpfs-xattrs" -> tmpfsXattrs() ? 0 : 1;
            default -> throw new RunException("unknown feature: " + feature);
        };
    }

    /** Unprivileged overlayfs (Linux 5.11+) over a scratch tmpfs. */
    static boolean overlayfs() {
        String t = scratchTmpfs();
        if (t == null) return false;
        try {
            for (String d : new String[]{"lower", "upper", "work", "merged"}) Sys.mkdir(t + "/" + d, 0755);
            Sys.mount("overlay", t + "/merged", "overlay", 0,
                    "lowerdir=" + t + "/lower,upperdir=" + t + "/upper,workdir=" + t + "/work,userxattr,volatile");
            return true;
        } catch (ErrnoException e) {
            Log.info("overlayfs: " + e.getMessage());
            return false;
        }
    }

    /** user.* extended attributes on tmpfs (Linux 6.6+), which overlayfs needs for full function. */
    static boolean tmpfsXattrs() {
        String t = scratchTmpfs();
        if (t == null) return false;
        try {
            String f = t + "/f";
            Sys.close(Sys.open(f, Linux.O_WRONLY | Linux.O_CREAT, 0644));
            Sys.setxattr(f, "user.chj", new byte[]{'1'});
            return true;
        } catch (ErrnoException e) {
            Log.info("tmpfs-xattrs: " + e.getMessage());
            return false;
        }
    }

    private static String scratchTmpfs() {
        for (String d : PROBE_DIRS) {
            try {
                if (!Container.isDir(d)) continue;
                Sys.mount("tmpfs", d, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m");
                return d;
            } catch (ErrnoException e) {
                Log.info("can't mount tmpfs at " + d + ": " + e.reason());
            }
        }
        return null;
    }
}
