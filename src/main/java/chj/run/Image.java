package chj.run;

import chj.run.sys.ErrnoException;
import chj.run.sys.Linux;
import chj.run.sys.Sys;

/** The IMAGE argument, resolved in Charliecloud's order: name in the store, directory, SquashFS. */
record Image(Kind kind, String path) {
    enum Kind { NAME, DIRECTORY, SQUASH }

    private static final int O_PATH = 010000000;

    /** Storage directory: -s, else $CH_IMAGE_STORAGE, else /var/tmp/$USER.chj. */
    static String storage(Options o, Environment env) {
        if (o.storage != null) return o.storage;
        String s = env.get("CH_IMAGE_STORAGE");
        if (s != null && !s.isEmpty()) return s;
        return "/var/tmp/" + env.get("USER") + ".chj";
    }

    /** Directory name of an image reference in the store: '/' → '%', ':' → '+'. */
    static String storeName(String ref) {
        return ref.replace('/', '%').replace(':', '+');
    }

    static Image resolve(String arg, String storage, boolean unsafe) throws RunException {
        try {
            String byName = storage + "/img/" + storeName(arg);
            Sys.Stat named = Sys.stat(byName);
            if (named != null && named.isDir()) return new Image(Kind.NAME, realPath(byName));
            Sys.Stat st = Sys.stat(arg);
            if (st == null) throw new RunException("can't stat: " + arg + ": No such file or directory");
            if (st.isDir()) {
                String real = realPath(arg);
                Sys.Stat store = Sys.stat(storage);
                if (!unsafe && store != null && store.isDir() && isUnder(real, realPath(storage)))
                    throw new RunException("can't run directory images from storage (hint: run by name)");
                return new Image(Kind.DIRECTORY, real);
            }
            if (isSquash(arg)) return new Image(Kind.SQUASH, realPath(arg));
            throw new RunException("unknown image type: " + arg);
        } catch (ErrnoException e) {
            throw new RunException(e.getMessage());
        }
    }

    private static boolean isUnder(String path, String dir) {
        return path.equals(dir) || path.startsWith(dir.endsWith("/") ? dir : dir + "/");
    }

    private static boolean isSquash(String file) {
        try {
            byte[] magic = new byte[4];
            int fd = Sys.open(file, Linux.O_RDONLY, 0);
            try {
                var buf = Sys.MEM.allocate(4);
                long n = Sys.raw(Linux.SYS_read, fd, buf.address(), 4, 0, 0, 0);
                if (n != 4) return false;
                Sys.view(buf).get(0, magic);
            } finally {
                Sys.close(fd);
            }
            return magic[0] == 'h' && magic[1] == 's' && magic[2] == 'q' && magic[3] == 's';
        } catch (ErrnoException e) {
            return false;
        }
    }

    /** Canonical path (symlinks resolved), from the kernel via /proc/self/fd. */
    static String realPath(String path) throws ErrnoException {
        int fd = Sys.open(path, O_PATH, 0);
        try {
            return Sys.readlink("/proc/self/fd/" + fd);
        } finally {
            Sys.close(fd);
        }
    }
}
