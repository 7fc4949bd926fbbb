package chj.run;

import chj.run.sys.Errno;
import chj.run.sys.ErrnoException;
import chj.run.sys.Linux;
import chj.run.sys.Sys;

import java.util.ArrayList;
import java.util.List;

import static chj.run.sys.Linux.MS_BIND;
import static chj.run.sys.Linux.MS_NODEV;
import static chj.run.sys.Linux.MS_NOSUID;
import static chj.run.sys.Linux.MS_PRIVATE;
import static chj.run.sys.Linux.MS_REC;

/**
 * Builds the container's mount tree below the new root, in ch-run's order: the image bound onto
 * itself and made read-only (or overlaid with a tmpfs for -W), the host's /dev, /proc and /sys,
 * optional host files, /etc/passwd and /etc/group, /tmp, $HOME and the user's binds. Everything
 * happens in the mount namespace unshare(1) made, so nothing here is seen by the host.
 */
final class Mounts {
    /** Host paths bound into every container when they exist on both sides. */
    private static final String[] OPTIONAL = {"/etc/hosts", "/etc/machine-id", "/etc/resolv.conf",
            "/var/lib/hugetlbfs", "/var/spool/slurmd", "/etc/opt/cray/wlm_detect", "/opt/cray/wlm_detect",
            "/opt/cray/alps", "/opt/cray/udreg", "/opt/cray/ugni", "/opt/cray/xpmem", "/var/opt/cray/alps"};
    /** Where -W's tmpfs may go on the host side of the namespace (Charliecloud uses /srv). */
    private static final String[] SCRATCH = {"/srv", "/mnt", "/media", "/opt", "/home", "/var/tmp"};

    private final Options o;
    private final Plan plan;
    /** Bind mounts made so far (host paths below the new root): nothing may be created under them. */
    private final List<String> binds = new ArrayList<>();
    private String newroot;

    private Mounts(Options o, Plan plan) {
        this.o = o;
        this.plan = plan;
    }

    /** What the mounts need to know besides the options. */
    record Plan(String image, String user, String hostHome, String hostTmp, int uid, int gid,
                List<String> userBindSources) {}

    /** Mounts everything; returns the new root (the image, or the overlay over it). */
    static String build(Options o, Plan plan) throws RunException {
        Mounts m = new Mounts(o, plan);
        m.image();
        m.hostBinds();
        m.passwd();
        m.tmp();
        m.home();
        m.userBinds();
        return m.newroot;
    }

    private void image() throws RunException {
        // unshare(1) made everything private already; say it again so that no bind of ours can
        // propagate to the host, and so that pivot_root(2) does not refuse a shared root.
        mount(null, "/", null, MS_REC | MS_PRIVATE, null, "can't make / private");
        String img = plan.image();
        mount(img, img, null, MS_BIND | MS_REC, null, "can't bind " + img + " to " + img);
        if (!o.write) readOnly(img);
        newroot = img;
        if (o.writeFake != null) newroot = overlay(img, o.writeFake);
        Log.debug("newroot: " + newroot);
    }

    /** Read-only, keeping the flags a user namespace may not clear (nosuid, nodev, noexec, atime). */
    private void readOnly(String img) throws RunException {
        long rc = Sys.setReadOnlyRecursive(img);
        if (rc == 0) return;
        // Before Linux 5.12: remount, repeating the locked flags, or the kernel says EPERM.
        try {
            long flags = Sys.mountFlags(img);
            if ((flags & Linux.ST_RDONLY) != 0) return;
            long locked = flags & (Linux.ST_NOSUID | Linux.ST_NODEV | Linux.ST_NOEXEC);
            Sys.mount(null, img, null, Linux.MS_REMOUNT | MS_BIND | Linux.MS_RDONLY | locked, null);
        } catch (ErrnoException e) {
            throw new RunException("can't re-mount image read-only (is it on NFS?): " + img + ": " + e.reason());
        }
    }

    /** -W: a tmpfs of the given size as the upper layer of an overlay over the image. */
    private String overlay(String img, String size) throws RunException {
        String scratch = scratchDir(img);
        mount("tmpfs", scratch, "tmpfs", 0, "size=" + size + ",mode=0755", "can't mount tmpfs for --write-fake at " + scratch);
        try {
            Sys.mkdir(scratch + "/upper", 0755);
            Sys.mkdir(scratch + "/work", 0755);
            Sys.mkdir(scratch + "/merged", 0755);
        } catch (ErrnoException e) {
            throw new RunException(e.getMessage());
        }
        String merged = scratch + "/merged";
        String opts = "lowerdir=" + img + ",upperdir=" + scratch + "/upper,workdir=" + scratch + "/work,userxattr,volatile";
        try {
            Sys.mount("overlay", merged, "overlay", 0, opts);
        } catch (ErrnoException e) {
            throw new RunException("can't overlay a writeable tmpfs on the image (--write-fake): "
                    + "this kernel refuses unprivileged overlayfs (needs Linux 5.11 or newer): " + e.reason());
        }
        Log.info("--write-fake: overlay of " + size + " tmpfs at " + merged);
        return merged;
    }

    /** A host directory for -W's tmpfs that hides nothing the container needs. */
    private String scratchDir(String img) throws RunException {
        List<String> needed = new ArrayList<>(List.of(img, plan.hostTmp()));
        if (plan.hostHome() != null) needed.add(plan.hostHome());
        needed.addAll(plan.userBindSources());
        outer:
        for (String d : SCRATCH) {
            for (String n : needed)
                if (n.equals(d) || n.startsWith(d + "/")) continue outer;
            try {
                Sys.Stat st = Sys.stat(d);
                if (st != null && st.isDir()) return d;
            } catch (ErrnoException e) {
                // try the next one
            }
        }
        throw new RunException("--write-fake: no host directory free for the overlay's tmpfs");
    }

    private void hostBinds() throws RunException {
        for (String d : new String[]{"/dev", "/proc", "/sys"}) {
            String dst = ImageTree.resolve(newroot, d);
            if (dst == null) throw new RunException("can't bind: destination not found: " + newroot + d);
            bind(d, dst);
        }
        for (String p : OPTIONAL) {
            if (!exists(p)) continue;
            String dst = ImageTree.resolve(newroot, p);
            if (dst == null || !dst.startsWith(newroot + "/")) continue;
            bind(p, dst);
        }
    }

    /** Bound from files in the host's temporary directory, unlinked right away (the mount keeps them). */
    private void passwd() throws RunException {
        if (o.noPasswd) return;
        String home = o.home ? "/home/" + plan.user() : "/";
        bindText("/etc/passwd", PasswdFiles.passwd(plan.uid(), plan.gid(), home), "passwd");
        bindText("/etc/group", PasswdFiles.group(plan.gid()), "group");
    }

    private void bindText(String path, String text, String tag) throws RunException {
        String dst = ImageTree.resolve(newroot, path);
        if (dst == null) {
            Log.debug("no " + path + " in image: not binding");
            return;
        }
        String tmp = null;
        try {
            int fd = -1;
            for (int n = 0; fd < 0; n++) {
                tmp = plan.hostTmp() + "/ch-run_" + tag + "." + Sys.getpid() + "." + n;
                try {
                    fd = Sys.open(tmp, Linux.O_WRONLY | Linux.O_CREAT | Linux.O_EXCL, 0644);
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.EEXIST || n > 100) throw e;
                }
            }
            try {
                Sys.writeAll(fd, Sys.stringToBytes(text), "can't write " + tmp);
            } finally {
                Sys.close(fd);
            }
            bind(tmp, dst);
        } catch (ErrnoException e) {
            throw new RunException(e.getMessage());
        } finally {
            if (tmp != null) Sys.unlink(tmp);
        }
    }

    private void tmp() throws RunException {
        String dst = ImageTree.resolve(newroot, "/tmp");
        if (dst == null) throw new RunException("can't bind: destination not found: " + newroot + "/tmp");
        if (o.privateTmp) {
            mount("tmpfs", dst, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", "can't mount tmpfs at " + dst);
            binds.add(dst);
        } else {
            bind(plan.hostTmp(), dst);
        }
    }

    private void home() throws RunException {
        if (!o.home) return;
        if (plan.hostHome() == null) throw new RunException("--home failed: $HOME not set");
        String guest = "/home/" + plan.user();
        String dst = ImageTree.resolve(newroot, guest);
        if (dst == null) {
            if (o.write || o.writeFake != null) {
                dst = ImageTree.mkdirs(newroot, guest, binds);
            } else {
                // Read-only image without the directory: a small tmpfs on /home holds the mount point.
                String homes = ImageTree.mkdirs(newroot, "/home", binds);
                mount("tmpfs", homes, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=4m", "can't mount tmpfs at " + homes);
                try {
                    Sys.mkdir(homes + "/" + plan.user(), 0755);
                } catch (ErrnoException e) {
                    throw new RunException(e.getMessage());
                }
                dst = homes + "/" + plan.user();
            }
        }
        bind(plan.hostHome(), dst);
    }

    private void userBinds() throws RunException {
        for (Options.Bind b : o.binds) {
            if (!exists(b.src())) throw new RunException("can't bind: source not found: " + b.src());
            String dst = ImageTree.resolve(newroot, b.dst());
            if (dst == null) dst = ImageTree.mkdirs(newroot, b.dst(), binds);
            bind(b.src(), dst);
        }
    }

    private void bind(String src, String dst) throws RunException {
        mount(src, dst, null, MS_BIND | MS_REC, null, "can't bind " + src + " to " + dst);
        binds.add(dst);
        Log.debug("bind: " + src + " -> " + dst);
    }

    private static void mount(String src, String dst, String type, long flags, String data, String what)
            throws RunException {
        try {
            Sys.mount(src, dst, type, flags, data);
        } catch (ErrnoException e) {
            throw new RunException(what + ": " + e.reason());
        }
    }

    private static boolean exists(String p) throws RunException {
        try {
            return Sys.stat(p) != null;
        } catch (ErrnoException e) {
            return false;
        }
    }
}
