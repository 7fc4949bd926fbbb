package chj.run;

import chj.run.sys.ErrnoException;
import chj.run.sys.Linux;
import chj.run.sys.Spawn;
import chj.run.sys.Sys;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One container start: resolve the image, mount it (SquashFS via squashfuse), build the mount
 * tree, prepare the command, pivot_root into the image, drop privileges and exec. Runs on the
 * JVM's main thread, inside the user and mount namespaces that the launcher's unshare(1) made.
 */
final class Container {
    private Container() {}

    /** Sets the container up and execs the command; returns only in AOT training mode. */
    static void run(Options o, Environment env, boolean training) throws RunException {
        String user = env.get("USER");
        boolean serve = o.serve != null;
        if (o.image == null || !serve && (o.cmd == null || o.cmd.length == 0))
            throw new RunException(RunException.EXIT_USAGE, "IMAGE and/or CMD not specified");
        if (serve && training) throw new RunException("--serve: not in training");
        Session.Wire wire = null;
        String[] firstRequest = null;
        if (serve) {
            // started while ch-image fills the tree: touch nothing before the first request
            wire = Session.connect(o.serve);
            firstRequest = wire.readRequest();
            if (firstRequest == null) return;   // nothing to run after all
        }
        String storage = Image.storage(o, env);
        Image image = Image.resolve(o.image, storage, o.unsafe);
        if (image.kind() == Image.Kind.NAME && o.write && !o.unsafe)
            throw new RunException("--write invalid when running by name");
        if (image.kind() == Image.Kind.SQUASH && o.write)
            throw new RunException("--write invalid with SquashFS image (hint: --write-fake)");
        if (image.kind() != Image.Kind.SQUASH && o.mountDir != null)
            Log.warning("--mount invalid with directory image, ignoring");
        int uid = Sys.getuid(), gid = Sys.getgid();
        Log.debug("image: " + image.path() + " (" + image.kind() + ")");
        Log.debug("storage: " + storage);
        Log.debug("container uid: " + uid);
        Log.debug("container gid: " + gid);

        String root = image.path();
        Process fuse = null;
        if (image.kind() == Image.Kind.SQUASH) {
            root = squashMountPoint(o, user);
            fuse = Squash.mount(image.path(), root, env);
        }
        try {
            String hostTmp = env.get("TMPDIR");
            if (hostTmp == null || hostTmp.isEmpty()) hostTmp = "/tmp";
            String hostHome = env.get("HOME");
            String cwd = cwd();
            final String imageRoot = root;
            String home = o.home ? "/home/" + user : isDir(ImageTree.resolve(root, "/root")) ? "/root" : "/";
            String[] processEnv = serve ? Sys.environ() : null;
            env.fix(home, o.envOps, p -> readImageFile(imageRoot, p));

            List<String> sources = new ArrayList<>();
            for (Options.Bind b : o.binds) sources.add(b.src());
            String newroot = Mounts.build(o, new Mounts.Plan(root, user, hostHome == null || hostHome.isEmpty()
                    ? null : hostHome, hostTmp, uid, gid, sources));

            MemorySegment filter = o.seccomp ? Seccomp.nativeProgram(Seccomp.program()) : null;
            if (serve) {
                // what needs the host's files (libc's symbols) before pivot_root
                Spawn.prepare();
                Environment.ImageFiles inside = p -> readImageFile("/", p);
                enter(newroot, "/", cwd);
                dropPrivileges(filter, uid);
                Session.serve(wire, firstRequest, processEnv, home, Command.keepFds(), inside);
                return;
            }
            Command cmd = new Command(o.cmd, env, Command.keepFds(), o.verbosity < 0 ? -o.verbosity : 0);
            Join.Winner winner = Join.winner();
            Log.info("executing: " + String.join(" ", o.cmd));
            if (training) {
                Training.exercise(cmd, filter);
                return;
            }
            enter(newroot, o.cd, cwd);
            if (winner != null) Join.markReady(winner);
            dropPrivileges(filter, uid);
            cmd.exec();
        } finally {
            if (training && fuse != null) fuse.destroyForcibly();
        }
    }

    /** -m, else /var/tmp/$USER.chj/mnt (created; it is private to each container's namespace). */
    private static String squashMountPoint(Options o, String user) throws RunException {
        if (o.mountDir != null) {
            if (!isDir(o.mountDir)) throw new RunException("can't mount: " + o.mountDir + ": not a directory");
            return o.mountDir;
        }
        String base = "/var/tmp/" + user + ".chj";
        try {
            Sys.mkdirIfAbsent(base, 0700);
            Sys.mkdirIfAbsent(base + "/mnt", 0700);
        } catch (ErrnoException e) {
            throw new RunException(e.getMessage());
        }
        return base + "/mnt";
    }

    static boolean isDir(String p) {
        try {
            Sys.Stat st = p == null ? null : Sys.stat(p);
            return st != null && st.isDir();
        } catch (ErrnoException e) {
            return false;
        }
    }

    /** Bytes of a file inside the image (symlinks followed inside it); null if absent. */
    static byte[] readImageFile(String root, String path) throws RunException {
        String p = ImageTree.resolve(root, path);
        if (p == null) return null;
        try {
            return Sys.readFile(p);
        } catch (ErrnoException e) {
            throw new RunException(e.getMessage());
        }
    }

    /** The caller's working directory as bytes. */
    static String cwd() throws RunException {
        try {
            return Sys.readlink("/proc/self/cwd");
        } catch (ErrnoException e) {
            return "/";
        }
    }

    /**
     * pivot_root(".", ".") puts the old root on top of the new one; the lazy unmount of "." then
     * removes it (pivot_root(2), NOTES). Unlike chroot(2), this lets the command make nested user
     * namespaces. Then the working directory: -c, else the caller's if it exists here, else /.
     */
    private static void enter(String newroot, String cd, String cwd) throws RunException {
        try {
            Sys.chdir(newroot);
            Sys.pivotRoot(".", ".");
            Sys.umountDetach(".");
        } catch (ErrnoException e) {
            throw new RunException("can't enter image " + newroot + ": " + e.getMessage());
        }
        if (cd != null) {
            try {
                Sys.chdir(cd.startsWith("/") ? cd : "/" + cd);
            } catch (ErrnoException e) {
                throw new RunException("can't cd to " + cd + ": " + e.reason());
            }
        } else if (!Sys.tryChdir(cwd)) {
            Log.info("can't cd to " + cwd + " in the container; using /");
            Sys.tryChdir("/");
        }
    }

    /** no_new_privs, the root emulation filter, and no capabilities unless the container user is root. */
    private static void dropPrivileges(MemorySegment filter, int uid) throws RunException {
        try {
            Sys.prctl(Linux.PR_SET_NO_NEW_PRIVS, 1);
            if (filter != null) Seccomp.install(filter);
            if (uid != 0) Sys.dropCapabilities();
        } catch (ErrnoException e) {
            throw new RunException(e.getMessage());
        }
    }
}
